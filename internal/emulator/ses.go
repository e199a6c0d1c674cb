package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// sesv2 (rest-json, /v2/email/…): SendEmail after SES's identity checks,
// the identity and account lookups a sender makes first, and the outbox
// that GET /_sandbox/outbox shows. SES settings are per account: verified
// identities and whether the account has production access (outside the
// SES sandbox, where recipients must be verified too).

// sesMaxRecipients is SES's limit of recipients per message.
const sesMaxRecipients = 50

// OutboxMessage is one e-mail the sandbox accepted, as GET /_sandbox/outbox
// lists it.
type OutboxMessage struct {
	MessageId string   `json:"messageId"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Cc        []string `json:"cc"`
	Bcc       []string `json:"bcc,omitempty"`
	Subject   string   `json:"subject"`
	Text      string   `json:"text"`
	HTML      string   `json:"html"`
}

// outbox keeps the messages sent since start, in order.
type outbox struct {
	mu   sync.Mutex
	msgs []OutboxMessage
}

func (o *outbox) add(m OutboxMessage) {
	o.mu.Lock()
	o.msgs = append(o.msgs, m)
	o.mu.Unlock()
}

func (o *outbox) list() []OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OutboxMessage{}, o.msgs...)
}

// Outbox returns every message sent since start.
func (s *Server) Outbox() []OutboxMessage { return s.outbox.list() }

func sesBadRequest(format string, args ...any) *awsproto.Error {
	return awsproto.Err(400, "BadRequestException", format, args...)
}

func sesNotFound(format string, args ...any) *awsproto.Error {
	return awsproto.Err(404, "NotFoundException", format, args...)
}

// sesAccount is the caller's SES settings (a fresh account's when none were
// loaded: sandbox mode, no identities). Call with s.mu held.
func (s *Server) sesAccount(account string) *SESAccount {
	if a, ok := s.st.ses[account]; ok {
		return a
	}
	return &SESAccount{AccountId: account}
}

// production reports whether the account may send to unverified recipients.
func (s *Server) production(a *SESAccount) bool { return a.ProductionAccess && !s.opts.SESSandbox }

// identity finds a configured identity by name (case-insensitive).
func (a *SESAccount) identity(name string) *EmailIdentity {
	for i := range a.Identities {
		if strings.EqualFold(a.Identities[i].Name, name) {
			return &a.Identities[i]
		}
	}
	return nil
}

// verified reports whether an address may be used: the address itself or
// its domain is a verified identity.
func (a *SESAccount) verified(addr string) bool {
	if id := a.identity(addr); id != nil && id.Verified {
		return true
	}
	if _, domain, ok := strings.Cut(addr, "@"); ok {
		if id := a.identity(domain); id != nil && id.Verified {
			return true
		}
	}
	return false
}

// sesRegion is how SES names the region in its messages.
func (s *Server) sesRegion() string { return strings.ToUpper(s.st.region) }

type sesContent struct {
	Data    string
	Charset string
}

type sesSendInput struct {
	FromEmailAddress string
	Destination      *struct {
		ToAddresses, CcAddresses, BccAddresses []string
	}
	ReplyToAddresses []string
	Content          *struct {
		Simple *struct {
			Subject *sesContent
			Body    *struct{ Text, Html *sesContent }
		}
		Raw *struct {
			Data []byte
		}
		Template *struct {
			TemplateName, TemplateArn, TemplateData string
			TemplateContent                         *struct{ Subject, Text, Html string }
		}
	}
}

// sendEmail answers SendEmail: the message is checked as SES checks it
// (content, addresses, a verified sender, and in the SES sandbox verified
// recipients), then kept in the outbox.
func (s *Server) sendEmail(w http.ResponseWriter, r *http.Request, reqID string) error {
	var in sesSendInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return sesBadRequest("Invalid request body: %v", err)
	}
	if in.Content == nil {
		return sesBadRequest("1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null")
	}
	var m OutboxMessage
	if in.Destination != nil {
		m.To, m.Cc, m.Bcc = in.Destination.ToAddresses, in.Destination.CcAddresses, in.Destination.BccAddresses
	}
	m.From = in.FromEmailAddress
	c := in.Content
	n := 0
	for _, set := range []bool{c.Simple != nil, c.Raw != nil, c.Template != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return sesBadRequest("Exactly one of Simple, Raw or Template content must be given.")
	}
	switch {
	case c.Simple != nil:
		sm := c.Simple
		if sm.Subject == nil || sm.Body == nil {
			return sesBadRequest("Simple content needs a Subject and a Body.")
		}
		if sm.Body.Text == nil && sm.Body.Html == nil {
			return sesBadRequest("The message body needs Text or Html.")
		}
		m.Subject = sm.Subject.Data
		if sm.Body.Text != nil {
			m.Text = sm.Body.Text.Data
		}
		if sm.Body.Html != nil {
			m.HTML = sm.Body.Html.Data
		}
	case c.Raw != nil:
		if err := parseRawMessage(c.Raw.Data, &m); err != nil {
			return err
		}
	default:
		t := c.Template
		if t.TemplateContent == nil {
			name := t.TemplateName
			if name == "" {
				name = t.TemplateArn
			}
			return sesNotFound("Template %s does not exist.", name)
		}
		var data map[string]any
		if t.TemplateData != "" {
			if err := json.Unmarshal([]byte(t.TemplateData), &data); err != nil {
				return sesBadRequest("Invalid TemplateData: %v", err)
			}
		}
		m.Subject = fillTemplate(t.TemplateContent.Subject, data)
		m.Text = fillTemplate(t.TemplateContent.Text, data)
		m.HTML = fillTemplate(t.TemplateContent.Html, data)
	}
	if m.From == "" {
		return sesBadRequest("Missing required header 'From'.")
	}
	m.To, m.Cc = nonNil(m.To), nonNil(m.Cc)
	all := slices.Concat(m.To, m.Cc, m.Bcc)
	if len(all) == 0 {
		return sesBadRequest("Missing required header 'To'.")
	}
	if len(all) > sesMaxRecipients {
		return sesBadRequest("Recipient count exceeds %d.", sesMaxRecipients)
	}
	from, err := sesAddress(m.From)
	if err != nil {
		return err
	}
	for _, a := range all {
		if _, err := sesAddress(a); err != nil {
			return err
		}
	}

	caller := s.caller(r)
	s.mu.RLock()
	acct := s.sesAccount(caller.Account)
	var failed []string
	if !acct.verified(from) {
		failed = append(failed, from)
	}
	if !s.production(acct) {
		for _, a := range all {
			addr, _ := sesAddress(a)
			if !acct.verified(addr) && !slices.Contains(failed, addr) {
				failed = append(failed, addr)
			}
		}
	}
	s.mu.RUnlock()
	if len(failed) > 0 {
		return awsproto.Err(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region %s: %s", s.sesRegion(), strings.Join(failed, ", "))
	}
	m.MessageId = "0100" + s.hex(12) + "-" + s.uuid() + "-000000"
	s.outbox.add(m)
	awsproto.WriteJSON(w, reqID, "application/json", map[string]string{"MessageId": m.MessageId})
	return nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// sesAddress parses one address ("Name <a@b>" or "a@b") as SES does and
// returns the bare address.
func sesAddress(v string) (string, error) {
	a, err := mail.ParseAddress(v)
	if err != nil {
		if !strings.Contains(v, "@") {
			return "", sesBadRequest("Missing final '@domain'")
		}
		return "", sesBadRequest("Illegal address: %s", v)
	}
	return a.Address, nil
}

// fillTemplate replaces {{name}} with the template data's values, as SES's
// templates do for simple variables.
func fillTemplate(t string, data map[string]any) string {
	var b strings.Builder
	for {
		i := strings.Index(t, "{{")
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.Index(t[i:], "}}")
		if j < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		name := strings.TrimSpace(t[i+2 : i+j])
		if v, ok := data[name]; ok {
			fmt.Fprint(&b, v)
		}
		t = t[i+j+2:]
	}
}

// parseRawMessage reads a raw MIME message: its headers fill what the
// request left out, and its text/plain and text/html parts the bodies.
func parseRawMessage(data []byte, m *OutboxMessage) error {
	if len(data) == 0 {
		return sesBadRequest("1 validation error detected: Value null at 'content.raw.data' failed to satisfy constraint: Member must not be null")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return awsproto.Err(400, "MessageRejected", "Message is not a valid MIME message: %v", err)
	}
	dec := new(mime.WordDecoder)
	header := func(k string) string {
		v := msg.Header.Get(k)
		if d, err := dec.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	addrs := func(k string) []string {
		list, err := msg.Header.AddressList(k)
		if err != nil {
			return nil
		}
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	if m.From == "" {
		if from := addrs("From"); len(from) > 0 {
			m.From = from[0]
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		m.To, m.Cc, m.Bcc = addrs("To"), addrs("Cc"), addrs("Bcc")
	}
	m.Subject = header("Subject")
	return readMIMEPart(msg.Header.Get, msg.Body, m)
}

// readMIMEPart walks a part (multipart ones recursively) and keeps the first
// text/plain and text/html bodies it finds, decoded.
func readMIMEPart(header func(string) string, body io.Reader, m *OutboxMessage) error {
	ct := header("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return awsproto.Err(400, "MessageRejected", "Bad Content-Type %q: %v", ct, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return awsproto.Err(400, "MessageRejected", "Bad multipart message: %v", err)
			}
			if err := readMIMEPart(p.Header.Get, p, m); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(header("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return awsproto.Err(400, "MessageRejected", "Bad message body: %v", err)
	}
	switch {
	case media == "text/plain" && m.Text == "":
		m.Text = string(b)
	case media == "text/html" && m.HTML == "":
		m.HTML = string(b)
	}
	return nil
}

// getSESAccount answers GetAccount: whether the caller's account is out of the
// SES sandbox, and its sending quota.
func (s *Server) getSESAccount(w http.ResponseWriter, r *http.Request, reqID string) error {
	caller := s.caller(r)
	s.mu.RLock()
	prod := s.production(s.sesAccount(caller.Account))
	s.mu.RUnlock()
	sent := len(s.outbox.list())
	quota := map[string]any{"Max24HourSend": 200, "MaxSendRate": 1, "SentLast24Hours": sent}
	if prod {
		quota = map[string]any{"Max24HourSend": 50000, "MaxSendRate": 14, "SentLast24Hours": sent}
	}
	awsproto.WriteJSON(w, reqID, "application/json", map[string]any{
		"DedicatedIpAutoWarmupEnabled": false,
		"EnforcementStatus":            "HEALTHY",
		"ProductionAccessEnabled":      prod,
		"SendQuota":                    quota,
		"SendingEnabled":               true,
		"SuppressionAttributes":        map[string]any{"SuppressedReasons": []string{}},
	})
	return nil
}

// identityOut is an identity as GetEmailIdentity sends it.
func identityOut(id *EmailIdentity) map[string]any {
	status := "PENDING"
	if id.Verified {
		status = "SUCCESS"
	}
	dkim := map[string]any{"SigningEnabled": id.Type == "DOMAIN" && id.Verified, "Status": "NOT_STARTED", "SigningAttributesOrigin": "AWS_SES"}
	if id.Type == "DOMAIN" {
		dkim["Status"] = status
	}
	// No identity has a custom MAIL FROM domain, so MailFromAttributes,
	// whose MailFromDomain the model requires, is left out.
	return map[string]any{
		"IdentityType":             id.Type,
		"FeedbackForwardingStatus": true,
		"VerifiedForSendingStatus": id.Verified,
		"VerificationStatus":       status,
		"DkimAttributes":           dkim,
		"Policies":                 map[string]any{},
		"Tags":                     []any{},
	}
}

// sesIdentityName is the identity named by the request path.
func sesIdentityName(r *http.Request) (string, error) {
	name, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/v2/email/identities/"))
	if err != nil || name == "" || strings.Contains(name, "/") {
		return "", sesBadRequest("Invalid email identity %q.", name)
	}
	return name, nil
}

func (s *Server) getEmailIdentity(w http.ResponseWriter, r *http.Request, reqID string) error {
	name, err := sesIdentityName(r)
	if err != nil {
		return err
	}
	caller := s.caller(r)
	s.mu.RLock()
	id := s.sesAccount(caller.Account).identity(name)
	var out map[string]any
	if id != nil {
		out = identityOut(id)
	}
	s.mu.RUnlock()
	if id == nil {
		return sesNotFound("Email identity %s does not exist.", name)
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// listEmailIdentities answers ListEmailIdentities, sent as GET with query
// parameters by older SDKs and as POST /v2/email/list-identities with a
// JSON body by newer ones.
func (s *Server) listEmailIdentities(w http.ResponseWriter, r *http.Request, reqID string) error {
	var in struct {
		NextToken string
		PageSize  *int
	}
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil && err != io.EOF {
			return sesBadRequest("Invalid request body: %v", err)
		}
	} else {
		q := r.URL.Query()
		in.NextToken = q.Get("NextToken")
		if v := q.Get("PageSize"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return sesBadRequest("PageSize must be a number.")
			}
			in.PageSize = &n
		}
	}
	size := 0
	if in.PageSize != nil {
		if *in.PageSize < 1 || *in.PageSize > 1000 {
			return sesBadRequest("PageSize must be between 1 and 1000.")
		}
		size = *in.PageSize
	}
	caller := s.caller(r)
	s.mu.RLock()
	x := awsproto.NewIndex[*EmailIdentity]()
	for i, id := range s.sesAccount(caller.Account).Identities {
		x.Put(lower(id.Name)+"|"+seqKey(i), &id)
	}
	page, next, err := awsproto.Paginate(x, "ses-identities|"+caller.Account, in.NextToken, size, 1000, 1000)
	s.mu.RUnlock()
	if err != nil {
		return sesBadRequest("Invalid NextToken.")
	}
	type item struct {
		IdentityType, IdentityName, VerificationStatus string
		SendingEnabled                                 bool
	}
	out := struct {
		EmailIdentities []item
		NextToken       string `json:",omitempty"`
	}{EmailIdentities: []item{}, NextToken: next}
	for _, id := range page {
		status := "PENDING"
		if id.Verified {
			status = "SUCCESS"
		}
		out.EmailIdentities = append(out.EmailIdentities, item{id.Type, id.Name, status, id.Verified})
	}
	awsproto.WriteJSON(w, reqID, "application/json", out)
	return nil
}

// createEmailIdentity adds an identity that stays pending: the sandbox
// receives no verification e-mail and resolves no DNS.
func (s *Server) createEmailIdentity(w http.ResponseWriter, r *http.Request, reqID string) error {
	var in struct{ EmailIdentity string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return sesBadRequest("Invalid request body: %v", err)
	}
	if in.EmailIdentity == "" {
		return sesBadRequest("1 validation error detected: Value null at 'emailIdentity' failed to satisfy constraint: Member must not be null")
	}
	typ := "DOMAIN"
	if strings.Contains(in.EmailIdentity, "@") {
		if _, err := sesAddress(in.EmailIdentity); err != nil {
			return err
		}
		typ = "EMAIL_ADDRESS"
	}
	caller := s.caller(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.sesAccount(caller.Account)
	if acct.identity(in.EmailIdentity) != nil {
		return awsproto.Err(400, "AlreadyExistsException", "Email identity %s already exist.", in.EmailIdentity)
	}
	next := *acct
	next.Identities = append(slices.Clone(acct.Identities), EmailIdentity{Name: in.EmailIdentity, Type: typ})
	s.st.ses[caller.Account] = &next
	awsproto.WriteJSON(w, reqID, "application/json", map[string]any{
		"IdentityType":             typ,
		"VerifiedForSendingStatus": false,
		"DkimAttributes":           identityOut(&next.Identities[len(next.Identities)-1])["DkimAttributes"],
	})
	return nil
}

func (s *Server) deleteEmailIdentity(w http.ResponseWriter, r *http.Request, reqID string) error {
	name, err := sesIdentityName(r)
	if err != nil {
		return err
	}
	caller := s.caller(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.sesAccount(caller.Account)
	i := slices.IndexFunc(acct.Identities, func(id EmailIdentity) bool { return strings.EqualFold(id.Name, name) })
	if i < 0 {
		return sesNotFound("Email identity %s does not exist.", name)
	}
	next := *acct
	next.Identities = without(acct.Identities, i)
	s.st.ses[caller.Account] = &next
	awsproto.WriteJSON(w, reqID, "application/json", struct{}{})
	return nil
}

// serveOutbox answers GET /_sandbox/outbox.
func (s *Server) serveOutbox(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false) // bodies read as they were sent
	_ = enc.Encode(s.outbox.list())
}

// serveSESVerify answers POST /_sandbox/ses/verify {"identity": NAME,
// "account": ID}: what SES does when the owner of an address clicks the
// link of its verification e-mail, or a domain's DNS records appear. The
// identity (an address or a domain; created when missing, as
// CreateEmailIdentity would) becomes verified in the account (default: the
// management account's).
func (s *Server) serveSESVerify(w http.ResponseWriter, r *http.Request) {
	var in struct{ Identity, Account string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Identity == "" {
		http.Error(w, `want {"identity": "address or domain", "account": "optional account id"}`, http.StatusBadRequest)
		return
	}
	typ := "DOMAIN"
	if strings.Contains(in.Identity, "@") {
		if _, err := sesAddress(in.Identity); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		typ = "EMAIL_ADDRESS"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Account == "" {
		in.Account = s.st.org.MasterAccountId
	}
	acct := s.sesAccount(in.Account)
	next := *acct
	next.AccountId = in.Account
	next.Identities = slices.Clone(acct.Identities)
	if i := slices.IndexFunc(next.Identities, func(id EmailIdentity) bool { return strings.EqualFold(id.Name, in.Identity) }); i >= 0 {
		next.Identities[i].Verified = true
	} else {
		next.Identities = append(next.Identities, EmailIdentity{Name: in.Identity, Type: typ, Verified: true})
	}
	s.st.ses[in.Account] = &next
	w.WriteHeader(http.StatusNoContent)
}
