// Package sandbox is the `ssoctl sandbox` command: it serves the emulator
// of every AWS API ssoctl calls on a loopback port.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

type options struct {
	IO        *iostreams.IOStreams
	Listen    string
	StateFile string
	Emulator  emulator.Options
}

// NewCmd returns `ssoctl sandbox`. runF replaces the run function in tests.
func NewCmd(f *factory.Factory, runF func(context.Context, *options) error) *cobra.Command {
	opts := &options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the built-in AWS emulator on a loopback port",
		Long: `Serve the sandbox: an emulator of every AWS API ssoctl calls (sso-admin,
identitystore, organizations, iam, sts, sesv2, s3, cloudtrail, EventBridge
Scheduler, and for sign-in sso-oidc and the portal), on one port, over a demo
organization, on a clock of its own that POST /_sandbox/clock moves forward.

On start it prints the export lines a shell needs to point the AWS SDKs,
the AWS CLI and ssoctl at it, then serves until interrupted. With --quotas
none (the default) they include SSOCTL_QUOTAS=none, which turns ssoctl's
own client-side rate limits off, as this sandbox enforces none; with
--quotas aws ssoctl paces itself to AWS's rates, as against AWS.

  GET  /_sandbox/stats        calls, attempts, throttled and errors per service:Operation
  POST /_sandbox/stats/reset  zero the counters
  GET  /_sandbox/state        the whole state as JSON (what --org FILE loads)
  GET  /_sandbox/outbox       every e-mail sent through sesv2 SendEmail, as JSON
  GET  /_sandbox/activity     every user x account x role with its last use
                              (portal GetRoleCredentials events), as JSON
  GET  /_sandbox/clock        the sandbox clock: {"now": RFC 3339, "offset": ahead of this machine}
  POST /_sandbox/clock        {"advance": "2h"} or {"set": "2026-12-01T10:00:00Z"}: move it forward
  POST /_sandbox/cloudtrail   {"eventSource": "sso.amazonaws.com", "eventName": "X", ...}: record a
                              CloudTrail event the sandbox would not (see the README)

Listening beyond loopback, it also prints SSOCTL_SANDBOX_TOKEN, which these
endpoints then require (Authorization: Bearer $SSOCTL_SANDBOX_TOKEN).

It verifies SigV4 signatures as AWS does: requests must be signed with the
dummy credentials it prints or with credentials it issued (portal role
credentials, sts AssumeRole, iam CreateAccessKey). sts AssumeRole follows
the roles' trust policies: in every member account of the demo
organizations, OrganizationAccountAccessRole trusts the management account
and DeployRole trusts its own account.

The demo organizations' management account is out of the SES sandbox with
example.com verified; --ses-sandbox puts it back in, where recipients must
be verified too.

It records a CloudTrail event, in AWS's format, for every write it serves
and every portal GetRoleCredentials, and serves cloudtrail LookupEvents
over them (the caller's account and Region, 50 a page, the last 90 days).
--cloudtrail-delay holds each event back that long, as AWS delivers events
minutes late; --activity-days seeds that many days of sign-in history for
the organization it starts with, the same for the same --seed.`,
		Example: `  # start it in the background and use it from this shell
  ssoctl sandbox --listen 127.0.0.1:0 > /tmp/sandbox.env &
  sleep 1; eval "$(cat /tmp/sandbox.env)"
  aws sso-admin list-instances

  # the medium organization, AWS's quotas, 30 ms per call, 10% throttled
  ssoctl sandbox --org medium --quotas aws --latency 30ms --throttle-rate 0.1

  # Identity Center replicated to eu-west-1 (admin calls must go to us-east-1)
  ssoctl sandbox --additional-region eu-west-1

  # 30 days of sign-in history; events show in LookupEvents 5 minutes late
  ssoctl sandbox --activity-days 30 --cloudtrail-delay 5m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Emulator.Quotas != "aws" && opts.Emulator.Quotas != "none" {
				return factory.Usagef("--quotas must be aws or none, not %q", opts.Emulator.Quotas)
			}
			for name, v := range map[string]float64{"--throttle-rate": opts.Emulator.ThrottleRate, "--error-rate": opts.Emulator.ErrorRate} {
				if v < 0 || v > 1 {
					return factory.Usagef("%s must be between 0 and 1", name)
				}
			}
			if d := opts.Emulator.ActivityDays; d < 0 || d > emulator.MaxActivityDays {
				return factory.Usagef("--activity-days must be between 0 and %d (LookupEvents keeps %d days), not %d", emulator.MaxActivityDays, emulator.MaxActivityDays, d)
			}
			if opts.Emulator.CloudTrailDelay < 0 {
				return factory.Usagef("--cloudtrail-delay must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "`address` to listen on (port 0 picks a free port)")
	fl.StringVar(&opts.StateFile, "state", "", "load this state `FILE.json` (as dumped by GET /_sandbox/state)")
	opts.Emulator = emulator.Options{Org: "small", Quotas: "none", QuotaScale: 1}
	BindFlags(fl, &opts.Emulator)
	factory.SetOutputs(cmd)
	return cmd
}

func run(ctx context.Context, opts *options) error {
	flag, org := "--org", opts.Emulator.Org
	if opts.StateFile != "" {
		flag, org = "--state", opts.StateFile
	}
	st, err := emulator.LoadOrg(org, opts.Emulator.Seed)
	if se := (*emulator.StateError)(nil); errors.As(err, &se) {
		// What is wrong is in the file, not the command line: one line
		// naming it, exit 2, and no pointer to --help.
		err := factory.Usagef("%s %s: %v", flag, org, se)
		fmt.Fprintln(opts.IO.ErrOut, "ssoctl: "+err.Error())
		return factory.Reported(err)
	}
	if err != nil {
		if cause := errors.Unwrap(err); cause != nil {
			err = cause
		}
		return factory.Usagef("%s %s: not small, medium or large, nor a readable state file: %v", flag, org, err)
	}
	if err := emulator.CheckAdditionalRegions(st, opts.Emulator.AdditionalRegions); err != nil {
		return factory.Usagef("--additional-region: %v", err)
	}
	opts.Emulator.State = st
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	defer ln.Close()
	// Beyond loopback, the sandbox's own endpoints (its whole state, its
	// counters, the e-mails sent) need a token only this output shows.
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("make the sandbox's control token: %w", err)
		}
		opts.Emulator.ControlToken = hex.EncodeToString(b)
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s is not a loopback address: anyone who can reach it can call its AWS APIs with the dummy credentials it prints; its /_sandbox endpoints need the SSOCTL_SANDBOX_TOKEN it prints\n", opts.Listen)
	}
	srv, err := emulator.New(opts.Emulator)
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, org, err)
	}
	if opts.Emulator.SignInAs != "" {
		if _, err := srv.SignInUser(); err != nil {
			return factory.Usagef("--sign-in-as %s: %v", opts.Emulator.SignInAs, err)
		}
	}
	url := "http://" + ln.Addr().String()
	for _, line := range emulator.Exports(url, srv.Region()) {
		fmt.Fprintln(opts.IO.Out, line)
	}
	if tok := opts.Emulator.ControlToken; tok != "" {
		fmt.Fprintln(opts.IO.Out, "export SSOCTL_SANDBOX_TOKEN="+tok)
	}
	if opts.Emulator.Quotas == "none" {
		// It enforces no rates: ssoctl need not pace itself either.
		fmt.Fprintln(opts.IO.Out, "export SSOCTL_QUOTAS=none")
	}
	if f, ok := opts.IO.Out.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(opts.IO.ErrOut, "sandbox serving on %s (Ctrl-C to stop)\n", url)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
		return ctx.Err()
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// BindFlags binds the sandbox's options to flags (the names `ssoctl
// sandbox` takes): the one parser of sandbox settings, for the command and
// for the test harness's sandbox-restart.
func BindFlags(fl *pflag.FlagSet, o *emulator.Options) {
	fl.StringVar(&o.Org, "org", o.Org, "demo organization: small, medium, large, or a state `FILE.json`")
	fl.Uint64Var(&o.Seed, "seed", o.Seed, "seed for the generated organization and new ids")
	fl.StringVar(&o.Quotas, "quotas", o.Quotas, "enforce AWS's documented rates: aws or none")
	fl.Float64Var(&o.QuotaScale, "quota-scale", o.QuotaScale, "multiply every quota rate by `X`")
	fl.DurationVar(&o.Latency, "latency", o.Latency, "added to every request")
	fl.Float64Var(&o.ThrottleRate, "throttle-rate", o.ThrottleRate, "fraction of requests answered with the service's throttling error")
	fl.Float64Var(&o.ErrorRate, "error-rate", o.ErrorRate, "fraction of requests answered with an internal error")
	fl.IntVar(&o.PendingPolls, "pending-polls", o.PendingPolls, "status reads an async request (and token polls a sign-in) stays pending; unread, the request completes on its own after --async-delay")
	fl.DurationVar(&o.AsyncDelay, "async-delay", o.AsyncDelay, "with --pending-polls, how long an async request takes on its own (0: 2s)")
	fl.StringVar(&o.SignInAs, "sign-in-as", o.SignInAs, "identity-store `USERNAME` who approves sign-ins")
	fl.BoolVar(&o.SESSandbox, "ses-sandbox", o.SESSandbox, "keep every account in the SES sandbox (SendEmail only to verified recipients)")
	fl.StringSliceVar(&o.AdditionalRegions, "additional-region", o.AdditionalRegions, "replicate the Identity Center instance to this `REGION` too (repeatable): sign-in and identity-store reads work there, permission-set and assignment calls only in the primary Region")
	fl.StringSliceVar(&o.DenyAccounts, "deny-account", o.DenyAccounts, "answer AccessDeniedException to sso-admin and portal calls naming this account (`ID` or name; repeatable)")
	fl.DurationVar(&o.CloudTrailDelay, "cloudtrail-delay", o.CloudTrailDelay, "show each CloudTrail event in LookupEvents only this long after the call (AWS delivers them minutes late)")
	fl.IntVar(&o.ActivityDays, "activity-days", o.ActivityDays, "seed this many `DAYS` (at most 90) of portal sign-in history (GetRoleCredentials events) for the organization")
	// Lifetimes, for tests of expiry and refresh.
	for name, d := range map[string]*time.Duration{"token-ttl": &o.TokenTTL, "refresh-ttl": &o.RefreshTTL, "registration-ttl": &o.RegistrationTTL, "credential-ttl": &o.CredentialTTL} {
		fl.DurationVar(d, name, *d, "lifetime of issued "+strings.TrimSuffix(name, "-ttl")+"s (0: AWS's)")
		_ = fl.MarkHidden(name)
	}
}
