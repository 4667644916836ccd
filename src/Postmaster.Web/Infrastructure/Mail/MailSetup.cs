using Microsoft.Extensions.Options;

namespace Postmaster.Web.Infrastructure.Mail;

public static class MailSetup
{
    /// <summary>The outgoing SMTP relay (<c>Postmaster:Smtp:*</c>), checked at start-up: a bad setting names its key.</summary>
    public static WebApplicationBuilder AddPostmasterMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().Bind(builder.Configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        return builder;
    }
}
