# Production image: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Postmaster.Web -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY templates /app/templates
ENV ASPNETCORE_URLS=http://+:8080 \
    Postmaster__DataDirectory=/var/lib/postmaster \
    Postmaster__TemplatesDirectory=/app/templates
RUN mkdir -p /var/lib/postmaster && chown app:app /var/lib/postmaster
USER app
EXPOSE 8080

ENTRYPOINT ["dotnet", "Postmaster.Web.dll"]
