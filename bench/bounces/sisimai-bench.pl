#!/usr/bin/perl
# Sisimai side of the bounce benchmark (see bench/README.md, "Bounces"): Sisimai->make($path) over every
# *.eml of a maildir, PASSES times in this one process, each pass timed with Time::HiRes (module loading is
# timed apart, before the passes; wall time and the process's user+system CPU time per pass); then one
# Sisimai->make($maildir) call over the whole folder.
# Writes ROWS (TSV: file, reason, replycode, deliverystatus, recipient, diagnosticcode; one line per record,
# a line with an empty reason for a file Sisimai returns nothing for) and TIMES ("key value" lines).
#
# Usage: perl sisimai-bench.pl MAILDIR PASSES ROWS TIMES
use strict;
use warnings;
use Time::HiRes qw(time);

my ($maildir, $passes, $rows_path, $times_path) = @ARGV;
die "usage: $0 MAILDIR PASSES ROWS TIMES\n" unless defined $times_path;

my $t0 = time;
require Sisimai;
my $load = time - $t0;

opendir(my $dh, $maildir) or die "$maildir: $!\n";
my @files = sort grep { /\.eml$/ } readdir($dh);
closedir $dh;
die "no *.eml in $maildir\n" unless @files;

sub clean { my $s = shift // ''; $s =~ s/[\t\r\n]+/ /g; return $s }

sub cpu { my @t = times; return $t[0] + $t[1] }

my (@pass_seconds, @pass_cpu);
my %records;
for my $pass (1 .. $passes) {
    my %this;
    my ($start, $cpu) = (time, cpu());
    for my $file (@files) {
        my $data = Sisimai->make("$maildir/$file");
        $this{$file} = $data ? [ map { [ $_->reason, $_->replycode, $_->deliverystatus, $_->recipient->address, $_->diagnosticcode ] } @$data ] : [];
    }
    push @pass_seconds, time - $start;
    push @pass_cpu, cpu() - $cpu;
    %records = %this;
}

my $start = time;
my $all = Sisimai->make($maildir);
my $maildir_seconds = time - $start;

open(my $out, '>', $rows_path) or die "$rows_path: $!\n";
print $out "file\treason\treplycode\tdeliverystatus\trecipient\tdiagnosticcode\n";
for my $file (@files) {
    my @list = @{ $records{$file} };
    if (!@list) { print $out "$file\t\t\t\t\t\n"; next }
    print $out join("\t", $file, map { clean($_) } @$_), "\n" for @list;
}
close $out;

open(my $times, '>', $times_path) or die "$times_path: $!\n";
print $times "version $Sisimai::VERSION\n";
print $times "files " . scalar(@files) . "\n";
printf $times "load %.6f\n", $load;
printf $times "pass %.6f\n", $_ for @pass_seconds;
printf $times "cpu %.6f\n", $_ for @pass_cpu;
printf $times "maildir %.6f\n", $maildir_seconds;
printf $times "maildir_records %d\n", $all ? scalar(@$all) : 0;
close $times;
