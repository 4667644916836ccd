using MimeKit;

namespace Postmaster.Core.Signals.Bounces;

/// <summary>
/// An attached message (message/rfc822) kept as an opaque leaf: MimeKit does not parse the returned original unless
/// a fallback asks for it (<see cref="BounceParser.AttachedMessage"/>).
/// </summary>
internal sealed class UnparsedMessage(MimeEntityConstructorArgs args) : MimePart(args);
