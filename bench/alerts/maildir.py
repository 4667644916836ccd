#!/usr/bin/python3
"""Lists the messages of a Maildir for bench/alerts/run.sh, one tab-separated line each:

    arrival  file  incident-ids  subject

arrival is the file's mtime in seconds with nanoseconds (aiosmtpd's Mailbox handler writes the
file when the DATA is received, before it answers 250). incident-ids are the /incidents/<id>
links of the text part (comma-separated, in order); only messages whose envelope recipients
(aiosmtpd's X-RcptTo header) include RECIPIENT are listed. Mail content is data: only the ids
(digits) and a subject with tabs and line breaks removed are printed.

Usage: maildir.py MAILDIR RECIPIENT
"""
import email
import email.policy
import os
import re
import sys

LINK = re.compile(r"/incidents/(\d{1,18})\b")


def text_of(message):
    parts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            try:
                parts.append(part.get_content())
            except (LookupError, ValueError):
                parts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(parts)


def main():
    maildir, recipient = sys.argv[1], sys.argv[2].lower()
    rows = []
    for sub in ("new", "cur"):
        folder = os.path.join(maildir, sub)
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            try:
                mtime_ns = os.stat(path).st_mtime_ns
                with open(path, "rb") as f:
                    message = email.message_from_binary_file(f, policy=email.policy.default)
            except OSError:
                continue  # renamed or removed while listing: the next poll sees it
            rcpts = str(message.get("X-RcptTo", "")).lower()
            if recipient not in [r.strip() for r in rcpts.split(",")]:
                continue
            ids = []
            for found in LINK.findall(text_of(message)):
                if found not in ids:
                    ids.append(found)
            subject = re.sub(r"[\t\r\n]+", " ", str(message.get("Subject", "")))[:200]
            rows.append((mtime_ns, name, ",".join(ids), subject))
    for mtime_ns, name, ids, subject in sorted(rows):
        print(f"{mtime_ns // 1_000_000_000}.{mtime_ns % 1_000_000_000:09d}\t{name}\t{ids or '-'}\t{subject}")


if __name__ == "__main__":
    main()
