package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/emulator/conformance"
	"github.com/ssoctl/ssoctl/internal/emulatortest"
)

var ctx = context.Background()

// modelName is the botocore model of a sandbox service ("" for none).
func modelName(service string) string {
	switch service {
	case "signin":
		return "" // only the console federation endpoint, which no model has
	}
	return service
}

// suite holds the models and counts of one run.
type suite struct {
	data   string
	models map[string]*conformance.Model
	now    time.Time

	mu    sync.Mutex
	tally map[string]*tally // by service
}

type tally struct {
	ops        []string
	valid      int
	invalid    int
	rejected   int // invalid requests answered with an error
	accepted   int // unknown ids answered with a success
	errors     map[string]int
	violations []string
	allowed    []string
	loose      []string // unknown ids answered with a success
	loosened   []string // patterns checked without their lookaround groups
}

func (s *suite) count(service string) *tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tally[service]
	if t == nil {
		t = &tally{errors: map[string]int{}}
		s.tally[service] = t
	}
	return t
}

// TestConformance sends, for every operation the sandbox serves, valid
// requests built from AWS's model (with the demo organization's real ids)
// and invalid ones (each required member left out, each constraint broken,
// each id changed to name nothing), and checks every raw answer against
// the model: output members, types, timestamp formats, enums, lengths,
// patterns; error codes the model lists for the operation (or AWS's common
// errors), in the protocol's error shape. It fails on any violation, and on
// any operation served that no model has.
func TestConformance(t *testing.T) {
	data, err := conformance.BotocoreData(ctx)
	if err != nil {
		t.Skipf("botocore's API models not found: %v (.ci/run has python3 with boto3)", err)
	}
	s := &suite{data: data, models: map[string]*conformance.Model{}, now: time.Now(), tally: map[string]*tally{}}
	t.Logf("botocore %s at %s", conformance.BotocoreVersion(data), data)

	probe, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ops []emulator.Operation
	for _, op := range probe.Operations() {
		if op.Page {
			t.Logf("not an API operation, so not checked: %s:%s", op.Service, op.Name)
			continue
		}
		name := modelName(op.Service)
		if name == "" {
			t.Errorf("%s:%s is served, but no AWS model has service %s", op.Service, op.Name, op.Service)
			continue
		}
		m := s.models[name]
		if m == nil {
			if m, err = conformance.Load(data, name); err != nil {
				t.Fatal(err)
			}
			s.models[name] = m
		}
		if m.Operations[op.Name] == nil {
			t.Errorf("%s:%s is served, but %s's model (%s) has no such operation", op.Service, op.Name, name, m.Version)
			continue
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		t.Run(op.Service+"/"+op.Name, func(t *testing.T) { s.operation(t, op) })
	}
	s.report(t)
}

func (s *suite) operation(t *testing.T, op emulator.Operation) {
	m := s.models[modelName(op.Service)]
	e := newEnv(t, s, op.Service)
	key := op.Service + ":" + op.Name
	var fixed []conformance.Input
	if f, ok := cases[key]; ok {
		fixed = f(e)
	} else {
		fixed = []conformance.Input{{}}
	}
	gen := conformance.NewGenerator(m, e.values(), idMembers[op.Service])
	checker := conformance.NewChecker(m, conformance.SDKClient(m.Service), s.now)
	checker.Allow = beyondModel
	tl := s.count(op.Service)
	s.mu.Lock()
	tl.ops = append(tl.ops, op.Name)
	s.mu.Unlock()

	violation := func(kind, member string, resp conformance.Response, out conformance.Outcome) {
		s.mu.Lock()
		for _, a := range out.Allowed {
			tl.allowed = append(tl.allowed, op.Name+": "+a)
		}
		s.mu.Unlock()
		for _, v := range out.Violations {
			msg := fmt.Sprintf("%s (%s%s): %s", op.Name, kind, member, v)
			t.Errorf("%s\n  answer: HTTP %d %s", msg, resp.Status, truncate(resp.Body))
			s.mu.Lock()
			tl.violations = append(tl.violations, msg)
			s.mu.Unlock()
		}
	}
	send := func(in conformance.Input) conformance.Response {
		resp, err := e.client.Send(ctx, m, op.Name, in)
		if err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		return resp
	}

	valid := make([]conformance.Input, len(fixed))
	for i, f := range fixed {
		valid[i] = gen.Valid(op.Name, f)
	}
	// Invalid requests first: one the sandbox wrongly accepts must not be
	// hidden by what a valid write already changed.
	for _, v := range gen.Invalid(op.Name, valid[0]) {
		resp := send(v.Input)
		out := checker.Check(op.Name, resp)
		s.mu.Lock()
		tl.invalid++
		s.mu.Unlock()
		what := " " + v.Member
		switch {
		case out.Error != "":
			s.mu.Lock()
			tl.rejected++
			tl.errors[out.Error]++
			s.mu.Unlock()
		case v.Kind == "unknown-id":
			// AWS answers some lookups of an unknown id with an empty
			// result; a success is checked like any other.
			s.mu.Lock()
			tl.accepted++
			tl.loose = append(tl.loose, op.Name+" "+v.Member)
			s.mu.Unlock()
		default:
			out.Violations = append(out.Violations, fmt.Sprintf("accepted a request whose %s breaks the model (%s); AWS answers a validation error", v.Member, v.Kind))
		}
		violation("invalid "+v.Kind, what, resp, out)
	}
	defer func() {
		s.mu.Lock()
		tl.loosened = append(tl.loosened, checker.Patterns()...)
		s.mu.Unlock()
	}()
	for i, in := range valid {
		resp := send(in)
		out := checker.Check(op.Name, resp)
		s.mu.Lock()
		tl.valid++
		if out.Error != "" {
			tl.errors[out.Error]++
		}
		s.mu.Unlock()
		violation("valid", fmt.Sprintf(" #%d", i+1), resp, out)
		if i == 0 {
			s.pages(t, e, m, checker, op.Name, in, violation)
		}
	}
}

// pages asks a paginated operation for pages of one item and follows the
// first token it gets.
func (s *suite) pages(t *testing.T, e *env, m *conformance.Model, checker *conformance.Checker, op string, in conformance.Input,
	violation func(string, string, conformance.Response, conformance.Outcome)) {
	p, ok := m.Paginators[op]
	if !ok || p.LimitKey == "" {
		return
	}
	inTok, ok1 := p.InputToken.(string)
	outTok, ok2 := p.OutputToken.(string)
	if !ok1 || !ok2 {
		return
	}
	tl := s.count(e.service)
	page := in.Clone()
	page[p.LimitKey] = 1
	for n := 0; n < 2; n++ {
		resp, err := e.client.Send(ctx, m, op, page)
		if err != nil {
			t.Fatal(err)
		}
		out := checker.Check(op, resp)
		s.mu.Lock()
		tl.valid++
		s.mu.Unlock()
		violation("valid page", fmt.Sprintf(" %d of 1 item", n+1), resp, out)
		if out.Error != "" {
			return
		}
		tok := conformance.OutputMember(m, op, resp, outTok)
		if tok == "" {
			return
		}
		page[inTok] = tok
	}
}

func dedupe(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func truncate(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		return s[:297] + "..."
	}
	return s
}

// report logs what the suite covered, by service: the operations, the
// valid and invalid requests sent, the error codes seen and the violations.
func (s *suite) report(t *testing.T) {
	var services []string
	for k := range s.tally {
		services = append(services, k)
	}
	sort.Strings(services)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| Service | Model | Operations | Valid requests | Invalid requests (rejected) | Unknown ids answered 2xx | Violations |\n|---|---|---|---|---|---|---|\n")
	total := tally{}
	for _, svc := range services {
		tl := s.tally[svc]
		m := s.models[modelName(svc)]
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d (%d) | %d | %d |\n", svc, m.Version, len(tl.ops), tl.valid, tl.invalid, tl.rejected, tl.accepted, len(tl.violations))
		total.ops = append(total.ops, tl.ops...)
		total.valid += tl.valid
		total.invalid += tl.invalid
		total.rejected += tl.rejected
		total.accepted += tl.accepted
		total.violations = append(total.violations, tl.violations...)
	}
	fmt.Fprintf(&b, "| **all** | | %d | %d | %d (%d) | %d | %d |\n", len(total.ops), total.valid, total.invalid, total.rejected, total.accepted, len(total.violations))
	for _, svc := range services {
		tl := s.tally[svc]
		slices.Sort(tl.ops)
		fmt.Fprintf(&b, "\n%s operations: %s\n", svc, strings.Join(tl.ops, ", "))
		var codes []string
		for c, n := range tl.errors {
			codes = append(codes, fmt.Sprintf("%s %d", c, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(&b, "%s error codes answered: %s\n", svc, strings.Join(codes, ", "))
		if len(tl.loose) > 0 {
			fmt.Fprintf(&b, "%s unknown ids answered with a success: %s\n", svc, strings.Join(dedupe(tl.loose), "; "))
		}
		for _, p := range dedupe(tl.loosened) {
			fmt.Fprintf(&b, "%s pattern checked without its lookaround (RE2 has none): %s\n", svc, p)
		}
		for _, a := range dedupe(tl.allowed) {
			fmt.Fprintf(&b, "%s beyond the model, allowed: %s\n", svc, a)
		}
		for _, v := range tl.violations {
			fmt.Fprintf(&b, "%s VIOLATION: %s\n", svc, v)
		}
	}
	t.Log(b.String())
}

// env is one operation's sandbox: a fresh demo organization, and what the
// suite knows of it.
type env struct {
	t       *testing.T
	service string
	sb      *emulatortest.Sandbox
	client  *conformance.Client
	st      *emulator.State
	cfg     aws.Config
}

func newEnv(t *testing.T, s *suite, service string) *env {
	sb := emulatortest.Start(t, emulator.Options{})
	creds := aws.Credentials{}
	for _, kv := range sb.Env() {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "AWS_ACCESS_KEY_ID":
			creds.AccessKeyID = v
		case "AWS_SECRET_ACCESS_KEY":
			creds.SecretAccessKey = v
		}
	}
	return &env{
		t: t, service: service, sb: sb, st: sb.Snapshot(), cfg: sb.Config(),
		client: &conformance.Client{Endpoint: sb.URL, Region: sb.Region(), Credentials: creds, HTTP: &http.Client{Timeout: 30 * time.Second}},
	}
}
