// Package each runs one command in many accounts: once per target
// (account × role × region), each run with that target's role credentials
// in its environment, through the one fan-out of the accounts package
// (bounded concurrency, credentials fetched ahead, once per account and
// role), with a failure in one target never stopping the others.
package each

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/accounts"
	"github.com/ssoctl/ssoctl/internal/childenv"
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

// Options controls a run.
type Options struct {
	Command []string
	Env     []string // the base environment (see childenv.Build)
	// Line, when set, receives every output line as it is written
	// (stream is "stdout" or "stderr"), for prefixed live output.
	Line func(t Target, stream string, line []byte)
	// Stop receives the signals that stop the run (see Run); Grace is how
	// long commands have after the first (0: DefaultGrace).
	Stop  <-chan os.Signal
	Grace time.Duration
	// AssumedRole, when set, is the role every run's credentials are for
	// (each --assume-role): the command's SSOCTL_ROLE_NAME.
	AssumedRole string
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
	// Interrupted says the run was stopped by a signal, or never started
	// because of one.
	Interrupted bool `json:"interrupted,omitempty"`
}

// OK reports whether the run succeeded.
func (r Result) OK() bool { return r.Error == "" && r.ExitCode == 0 }

// DefaultGrace is how long running commands are given to finish after
// the first stop signal before they are killed.
const DefaultGrace = 10 * time.Second

// Run runs the command for every target and passes each result to emit in
// target order as soon as it and those before it are done.
//
// Each command runs in a process group of its own. Stopping: the first
// signal on opts.Stop (or ctx ending, as a SIGTERM) starts no new run and
// is passed on to the process group of every running command; those still
// running after opts.Grace, or at a second signal, are killed. Every run
// that was stopped or never started is reported Interrupted.
func Run(ctx context.Context, c *accounts.Client, targets []Target, opts Options, emit func(Result)) {
	// runCtx ends at the first stop: no new run, no new credential fetch.
	runCtx, stopStarting := context.WithCancel(ctx)
	defer stopStarting()
	procs := &processes{running: map[*exec.Cmd]bool{}}
	finished := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		procs.watch(ctx, opts.Stop, cmp.Or(opts.Grace, DefaultGrace), stopStarting, finished)
	}()
	defer func() { close(finished); <-stopped }()

	roles := make([]accounts.Role, len(targets))
	for i, t := range targets {
		roles[i] = accounts.Role{AccountID: t.AccountId, AccountName: t.AccountName, RoleName: t.RoleName, Region: t.Region}
	}
	accounts.Stream(runCtx, c, roles, func(ctx context.Context, r accounts.Role, cfg aws.Config) (Result, error) {
		cr, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return Result{}, err
		}
		env := r
		if opts.AssumedRole != "" {
			env.RoleName = opts.AssumedRole
		}
		return runOne(targetOf(r), accounts.Environ(env, cr, opts.Env), opts, procs), nil
	}, func(r accounts.Result[Result]) {
		res := r.Value
		switch {
		case r.Err == nil:
		case runCtx.Err() != nil && errors.Is(r.Err, runCtx.Err()): // never started: stopped
			res = Result{Target: targetOf(r.Role), ExitCode: -1, Error: "not run: interrupted", Interrupted: true}
		default:
			res = Result{Target: targetOf(r.Role), ExitCode: -1, Error: fmt.Sprintf("get credentials: %v", r.Err)}
		}
		emit(res)
	})
}

func targetOf(r accounts.Role) Target {
	return Target{AccountId: r.AccountID, AccountName: r.AccountName, RoleName: r.RoleName, Region: r.Region}
}

// runOne runs the command for t with the environment env.
func runOne(t Target, env []string, opts Options, procs *processes) Result {
	start := time.Now()
	res := Result{Target: t}
	finish := func() Result {
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		return res
	}
	cmd := exec.Command(opts.Command[0], opts.Command[1:]...)
	cmd.Env = env
	childenv.OwnProcessGroup(cmd)
	var out, errOut bytes.Buffer
	cmd.Stdout = lineWriter(&out, t, "stdout", opts.Line)
	cmd.Stderr = lineWriter(&errOut, t, "stderr", opts.Line)
	started, err := procs.start(cmd)
	if !started {
		res.ExitCode, res.Error, res.Interrupted = -1, "not run: interrupted", true
		return finish()
	}
	if err == nil {
		err = cmd.Wait()
	}
	stop := procs.finish(cmd)
	flush(cmd.Stdout)
	flush(cmd.Stderr)
	res.Stdout, res.Stderr = out.String(), errOut.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode = 128 + int(ws.Signal())
		}
	default:
		res.ExitCode, res.Error = -1, childenv.StartFailure(opts.Command[0], err).Error()
	}
	if stop != "" {
		res.Interrupted = true
		res.Error = fmt.Sprintf("interrupted (%s), exit status %d", stop, res.ExitCode)
	}
	return finish()
}

// processes are the running commands of a Run, and how it stops them.
type processes struct {
	mu       sync.Mutex
	stopping bool
	killed   bool
	signal   string               // the stop signal passed on, for the results
	running  map[*exec.Cmd]bool   // the commands running now
	stopped  map[*exec.Cmd]string // those that were sent a stop signal: how
}

// start starts cmd unless the run is stopping (started false).
func (p *processes) start(cmd *exec.Cmd) (started bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return false, nil
	}
	if err := cmd.Start(); err != nil {
		return true, err
	}
	p.running[cmd] = true
	return true, nil
}

// finish forgets cmd, which has ended, and says how it was stopped, if it
// was ("" if not).
func (p *processes) finish(cmd *exec.Cmd) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.running, cmd)
	return p.stopped[cmd]
}

// send sends sig to the process group of every running command.
func (p *processes) send(sig os.Signal, how string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped == nil {
		p.stopped = map[*exec.Cmd]string{}
	}
	for cmd := range p.running {
		_ = childenv.SignalGroup(cmd, sig)
		p.stopped[cmd] = how
	}
}

// watch waits for the run to be stopped (a signal on stop, or ctx ending)
// until finished is closed: at the first stop no new run starts
// (stopStarting) and the signal goes to the running commands; at the
// second, or after grace, they are killed.
func (p *processes) watch(ctx context.Context, stop <-chan os.Signal, grace time.Duration, stopStarting func(), finished <-chan struct{}) {
	done := ctx.Done()
	var timeout <-chan time.Time
	first := "" // the first stop signal's name
	stopWith := func(sig os.Signal) {
		first = signalName(sig)
		p.mu.Lock()
		p.stopping = true
		p.mu.Unlock()
		stopStarting()
		p.send(sig, first)
		timeout = time.NewTimer(grace).C
	}
	for {
		select {
		case sig := <-stop:
			if first == "" {
				stopWith(sig)
				continue
			}
			p.send(os.Kill, first+", then SIGKILL at a second "+signalName(sig))
		case <-done:
			done = nil
			if first == "" {
				stopWith(syscall.SIGTERM)
			}
		case <-timeout:
			timeout = nil
			p.send(os.Kill, fmt.Sprintf("%s, then SIGKILL after %s", first, grace))
		case <-finished:
			return
		}
	}
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
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
