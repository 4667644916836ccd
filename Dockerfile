# Production image: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# ReadyToRun: the app and its packages (EF Core, Quartz, MailKit…) ship precompiled, so a fresh
# container does not spend its first sweep in the JIT (bench/sweep/run.sh publishes the same way).
ARG TARGETARCH
RUN case "$TARGETARCH" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac && \
    dotnet publish src/Postmaster.Web -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY templates /app/templates
ENV ASPNETCORE_URLS=http://+:8080 \
    Postmaster__DataDirectory=/var/lib/postmaster \
    Postmaster__TemplatesDirectory=/app/templates
# The Public Suffix List (Debian's publicsuffix): DMARC's organisational domain under suffixes such as co.uk.
RUN apt-get update && apt-get install -y --no-install-recommends publicsuffix && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /var/lib/postmaster && chown app:app /var/lib/postmaster
USER app
EXPOSE 8080

ENTRYPOINT ["dotnet", "Postmaster.Web.dll"]
