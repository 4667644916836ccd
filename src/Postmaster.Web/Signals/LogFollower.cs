using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Postmaster.Core.IO;
using Postmaster.Core.Signals.Logs;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

/// <summary>
/// Follows configured MTA log files: reads what was appended since the saved offset, finishes a file
/// that was rotated away (found beside it by its fingerprint), starts over on a truncated or new file.
/// Only complete lines are read; a partial last line waits for the next poll.
/// </summary>
public sealed class LogFollower(PostmasterDbContext db, SignalIngestor ingestor, IOptions<SignalOptions> options, TimeProvider time, ILogger<LogFollower> log)
{
    public const int FingerprintBytes = 256;

    public async Task FollowAllAsync(CancellationToken ct)
    {
        foreach (var source in options.Value.LogFiles)
        {
            if (!LogFormats.TryGet(source.Format, out var parser))
            {
                log.LogError("Log file {Path}: unknown format {Format}; use {Formats}", source.Path, source.Format, string.Join(", ", LogFormats.Names));
                continue;
            }

            try
            {
                await FollowAsync(Path.GetFullPath(source.Path), source.Format, parser, ct);
            }
            catch (IOException e)
            {
                log.LogWarning(e, "Log file {Path} could not be read this time", source.Path);
            }
        }
    }

    public async Task FollowAsync(string path, string format, ILogLineParser parser, CancellationToken ct)
    {
        var cursor = await db.LogFileCursors.FirstOrDefaultAsync(c => c.Path == path, ct);
        if (!File.Exists(path))
        {
            return;
        }

        var length = new FileInfo(path).Length;
        if (cursor is not null && cursor.Fingerprint.Length > 0 && !SameStart(path, cursor.Fingerprint))
        {
            // Rotated: finish the old file where it now lives, then read the new one from the start.
            if (FindRotated(path, cursor.Fingerprint) is { } rotated)
            {
                await ReadRangeAsync(rotated, cursor.Offset, format, parser, ct);
            }

            cursor.Offset = 0;
        }
        else if (cursor is not null && length < cursor.Offset)
        {
            log.LogWarning("Log file {Path} shrank from {Offset} to {Length} bytes: truncated, reading from the start", path, cursor.Offset, length);
            cursor.Offset = 0;
        }

        if (cursor is null)
        {
            cursor = new LogFileCursor { Path = path };
            db.LogFileCursors.Add(cursor);
        }

        cursor.Offset = await ReadRangeAsync(path, cursor.Offset, format, parser, ct);
        cursor.Fingerprint = Fingerprint(path);
        cursor.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Reads complete lines from <paramref name="offset"/>; returns the offset after the last complete line.</summary>
    private async Task<long> ReadRangeAsync(string path, long offset, string format, ILogLineParser parser, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        if (offset > file.Length)
        {
            offset = 0;
        }

        var end = LastCompleteLineEnd(file, offset);
        if (end <= offset)
        {
            return offset;
        }

        file.Position = offset;
        await using var window = new BoundedReadStream(file, end - offset);
        var counter = new IngestCounter();
        await ingestor.IngestAsync(SignalSources.FromLog(window, parser, counter, ct), counter, $"file:{format}:{path}", ct);
        return end;
    }

    private static long LastCompleteLineEnd(FileStream file, long from)
    {
        var buffer = new byte[8192];
        var position = file.Length;
        while (position > from)
        {
            var size = (int)Math.Min(buffer.Length, position - from);
            file.Position = position - size;
            file.ReadExactly(buffer, 0, size);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', size - 1, size);
            if (newline >= 0)
            {
                return position - size + newline + 1;
            }

            position -= size;
        }

        return from;
    }

    /// <summary>"n:hash" of the first n (at most 256) bytes; a growing file keeps its fingerprint's prefix.</summary>
    private static string Fingerprint(string path, int bytes = FingerprintBytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[bytes];
        var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == 0 ? "" : $"{read}:{Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, read)))}";
    }

    /// <summary>Whether the file still starts with the bytes the saved fingerprint was taken from.</summary>
    private static bool SameStart(string path, string saved)
    {
        var colon = saved.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && int.TryParse(saved[..colon], out var bytes) && Fingerprint(path, bytes) == saved;
    }

    private static string? FindRotated(string path, string fingerprint)
    {
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        return Directory.EnumerateFiles(dir, name + "*")
            .Where(f => f != path && !f.EndsWith(".gz", StringComparison.Ordinal))
            .FirstOrDefault(f => SameStart(f, fingerprint));
    }
}
