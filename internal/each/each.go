// Package each runs one command in many accounts: once per target
// (account × role × region), each run with that target's role credentials
// in its environment, with bounded concurrency, and with a failure in one
// target never stopping the others.
package each

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/childenv"
	"github.com/ssoctl/ssoctl/internal/fanout"
)

// Target is one place the command runs.
type Target struct {
	AccountId   string `json:"accountId"`
	AccountName string `json:"accountName"`
	RoleName    string `json:"roleName"`
	Region      string `json:"region,omitempty"`
}

// Label names a target for people: account name (or id), role, region.
func (t Target) Label() string {
	name := t.AccountName
	if name == "" {
		name = t.AccountId
	}
	l := name + "/" + t.RoleName
	if t.Region != "" {
		l += "/" + t.Region
	}
	return l
}

// Credentials fetches role credentials for an account and role.
type Credentials func(ctx context.Context, accountID, roleName string) (aws.Credentials, error)

// Options controls a run.
type Options struct {
	Command  []string
	Env      []string // the base environment (see childenv.Build)
	Parallel int
	// Credentials is called at most once per account and role, whatever
	// the number of regions.
	Credentials Credentials
	// CredentialParallel is how many credential fetches run at once, ahead
	// of the commands (0: 64). Fetches wait on the network and the portal's
	// quota while commands need CPU, so they get a pool of their own, and
	// a command finds its credentials ready when its turn comes.
	CredentialParallel int
	// Line, when set, receives every output line as it is written
	// (stream is "stdout" or "stderr"), for prefixed live output.
	Line func(t Target, stream string, line []byte)
}

// Result is one run's outcome. Err is set when the command could not run
// at all (no credentials, not found); a command that ran and failed has a
// non-zero ExitCode.
type Result struct {
	Target
	ExitCode int           `json:"exitCode"`
	Stdout   string        `json:"stdout"`
	Stderr   string        `json:"stderr"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"durationSeconds"`
	Error    string        `json:"error,omitempty"`
}

// OK reports whether the run succeeded.
func (r Result) OK() bool { return r.Error == "" && r.ExitCode == 0 }

// Run runs the command for every target and passes each result to emit in
// target order as soon as it and those before it are done.
func Run(ctx context.Context, targets []Target, opts Options, emit func(Result)) {
	creds := newCredCache(opts.Credentials)
	prefetchCtx, stopPrefetch := context.WithCancel(ctx)
	defer stopPrefetch()
	limit := opts.CredentialParallel
	if limit <= 0 {
		limit = 64
	}
	prefetch := fanout.NewGroup(prefetchCtx, limit)
	for _, t := range targets {
		prefetch.Go(func(ctx context.Context) { _, _ = creds.get(ctx, t.AccountId, t.RoleName) })
	}
	defer prefetch.Wait()
	fanout.Stream(ctx, targets, opts.Parallel, func(ctx context.Context, t Target) (Result, error) {
		return runOne(ctx, t, opts, creds), nil
	}, func(t Target, r Result, err error) {
		if err != nil { // never started: cancelled
			r = Result{Target: t, ExitCode: -1, Error: err.Error()}
		}
		emit(r)
	})
}

func runOne(ctx context.Context, t Target, opts Options, creds *credCache) Result {
	start := time.Now()
	res := Result{Target: t}
	finish := func() Result {
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		return res
	}
	c, err := creds.get(ctx, t.AccountId, t.RoleName)
	if err != nil {
		res.ExitCode, res.Error = -1, fmt.Sprintf("get credentials: %v", err)
		return finish()
	}
	cmd := exec.CommandContext(ctx, opts.Command[0], opts.Command[1:]...)
	cmd.Env = childenv.Build(opts.Env, childenv.Role{
		AccountID: t.AccountId, AccountName: t.AccountName, RoleName: t.RoleName, Region: t.Region, Credentials: c,
	})
	var out, errOut bytes.Buffer
	cmd.Stdout = lineWriter(&out, t, "stdout", opts.Line)
	cmd.Stderr = lineWriter(&errOut, t, "stderr", opts.Line)
	err = cmd.Run()
	flush(cmd.Stdout)
	flush(cmd.Stderr)
	res.Stdout, res.Stderr = out.String(), errOut.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		res.ExitCode, res.Error = -1, err.Error()
	}
	return finish()
}

// lineWriter keeps everything written and, when line is set, hands over
// each complete line as it arrives.
func lineWriter(buf *bytes.Buffer, t Target, stream string, line func(Target, string, []byte)) io.Writer {
	if line == nil {
		return buf
	}
	return &liner{buf: buf, emit: func(b []byte) { line(t, stream, b) }}
}

type liner struct {
	buf     *bytes.Buffer
	pending []byte
	emit    func([]byte)
}

func (l *liner) Write(p []byte) (int, error) {
	l.buf.Write(p)
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.emit(l.pending[:i])
		l.pending = l.pending[i+1:]
	}
}

func flush(w io.Writer) {
	if l, ok := w.(*liner); ok && len(l.pending) > 0 {
		l.emit(l.pending)
		l.pending = nil
	}
}

// credCache fetches each (account, role)'s credentials once, however many
// regions ask for them at the same time.
type credCache struct {
	fetch Credentials
	mu    sync.Mutex
	calls map[string]*credCall
}

type credCall struct {
	once sync.Once
	c    aws.Credentials
	err  error
}

func newCredCache(f Credentials) *credCache {
	return &credCache{fetch: f, calls: map[string]*credCall{}}
}

func (c *credCache) get(ctx context.Context, account, role string) (aws.Credentials, error) {
	c.mu.Lock()
	call, ok := c.calls[account+"|"+role]
	if !ok {
		call = &credCall{}
		c.calls[account+"|"+role] = call
	}
	c.mu.Unlock()
	call.once.Do(func() { call.c, call.err = c.fetch(ctx, account, role) })
	return call.c, call.err
}
