// Package notify renders the e-mails of the user lifecycle — welcome (a new
// person's sign-in) and migration (off a legacy IAM user, by a date) — and
// sends them through SESv2 SendEmail. Rendering is pure: the same data
// gives the same message. The built-in templates (text and HTML) can be
// replaced file by file from a folder.
package notify

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

//go:embed templates/*
var builtin embed.FS

// Templates are the kinds of message.
var Templates = []string{"welcome", "migration"}

// Access is one permission set in one account, for the message's list.
type Access struct {
	PermissionSet string
	AccountName   string
	AccountId     string
}

// Data is what the templates know.
type Data struct {
	GivenName   string
	DisplayName string
	UserName    string
	Email       string
	StartURL    string
	SSORegion   string
	SSOSession  string
	// Profile is the profile name the message suggests (default: the AWS
	// CLI's own default for the first access, RoleName-AccountId).
	Profile string
	Access  []Access
	// IAMKeysStop is the date legacy IAM keys stop working (migration).
	IAMKeysStop string
	// IAMUser is the legacy IAM user's name (migration).
	IAMUser string
}

// Message is one e-mail.
type Message struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	CC      []string `json:"cc,omitempty"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html"`
}

// Render fills the template of kind with data. Files in dir (welcome.txt,
// welcome.html, migration.txt, migration.html), when dir is set and they
// exist, replace the built-in ones. The text template's first line is
// "Subject: …".
func Render(kind string, data Data, dir string) (Message, error) {
	if kind != "welcome" && kind != "migration" {
		return Message{}, fmt.Errorf("unknown template %q (choose welcome or migration)", kind)
	}
	if kind == "migration" && data.IAMKeysStop == "" {
		return Message{}, errors.New("the migration e-mail needs the date IAM keys stop working (migration.iam_keys_stop in the org settings)")
	}
	for what, v := range map[string]string{"start_url": data.StartURL, "sso_region": data.SSORegion, "sso_session": data.SSOSession} {
		if v == "" {
			return Message{}, fmt.Errorf("the %s e-mail needs %s in the org settings", kind, what)
		}
	}
	if data.Profile == "" {
		data.Profile = data.SSOSession
		if len(data.Access) > 0 {
			data.Profile = data.Access[0].PermissionSet + "-" + data.Access[0].AccountId
		}
	}
	if data.GivenName == "" {
		data.GivenName = data.DisplayName
	}
	data = data.neutralized()
	txtSrc, err := source(kind+".txt", dir)
	if err != nil {
		return Message{}, err
	}
	htmlSrc, err := source(kind+".html", dir)
	if err != nil {
		return Message{}, err
	}
	tt, err := texttemplate.New(kind + ".txt").Option("missingkey=error").Parse(txtSrc)
	if err != nil {
		return Message{}, fmt.Errorf("template %s.txt: %w", kind, err)
	}
	ht, err := htmltemplate.New(kind + ".html").Option("missingkey=error").Parse(htmlSrc)
	if err != nil {
		return Message{}, fmt.Errorf("template %s.html: %w", kind, err)
	}
	var tb, hb bytes.Buffer
	if err := tt.Execute(&tb, data); err != nil {
		return Message{}, fmt.Errorf("template %s.txt: %w", kind, err)
	}
	if err := ht.Execute(&hb, data); err != nil {
		return Message{}, fmt.Errorf("template %s.html: %w", kind, err)
	}
	first, body, _ := strings.Cut(tb.String(), "\n")
	subject, ok := strings.CutPrefix(first, "Subject:")
	if !ok {
		return Message{}, fmt.Errorf("template %s.txt: the first line must be \"Subject: …\"", kind)
	}
	m := Message{Subject: oneLine(subject), Text: strings.TrimLeft(body, "\n"), HTML: hb.String()}
	if data.Email != "" {
		m.To = []string{data.Email}
	}
	return m, nil
}

// neutralized is d with every value kept on its line and in its reading
// direction. Names come from AWS, which allows line breaks in a given name
// ("Eve\r\nBcc: …" would start a line of its own in the text body) and,
// through an IdP, other control characters; a bidirectional override
// (U+202E) would make the rest of a line read backwards in a mail client.
// html/template escapes markup but neither of these.
func (d Data) neutralized() Data {
	for _, f := range []*string{&d.GivenName, &d.DisplayName, &d.UserName, &d.Email, &d.StartURL, &d.SSORegion,
		&d.SSOSession, &d.Profile, &d.IAMKeysStop, &d.IAMUser} {
		*f = neutral(*f)
	}
	access := make([]Access, len(d.Access))
	for i, a := range d.Access {
		access[i] = Access{PermissionSet: neutral(a.PermissionSet), AccountName: neutral(a.AccountName), AccountId: neutral(a.AccountId)}
	}
	d.Access = access
	return d
}

// neutral replaces line breaks and other control characters with a space,
// and bidirectional controls (embeddings, overrides, isolates, marks) with
// U+FFFD, so what was there stays visible without taking effect.
func neutral(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || isBidi(r) || r == '\u2028' || r == '\u2029' }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return ' '
		case isBidi(r):
			return '\ufffd'
		}
		return r
	}, s)
}

func isBidi(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// oneLine keeps a subject on one line (names from AWS could break it).
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

func source(name, dir string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("read template: %w", err)
		}
	}
	b, err := builtin.ReadFile("templates/" + name)
	return string(b), err
}

// SESv2 is the sender's client, with the SDK's signature.
type SESv2 interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// ErrNotVerified is returned when SES refuses an address that is not
// verified: the sender, or (in the SES sandbox) a recipient.
var ErrNotVerified = errors.New("e-mail address not verified in SES")

// ErrSenderNotVerified is also matched (errors.Is) when the refused address
// is the sender's: then every message from it would be refused alike.
var ErrSenderNotVerified = errors.New("the sender is not verified in SES")

// senderRefused is an ErrNotVerified error about the sender.
type senderRefused struct{ error }

func (e senderRefused) Is(target error) bool { return target == ErrSenderNotVerified }
func (e senderRefused) Unwrap() error        { return e.error }

// Send sends m (one message, to its recipients) through SES in region
// ("" for the client's) and returns SES's message id.
func Send(ctx context.Context, c SESv2, region string, m Message) (string, error) {
	if m.From == "" {
		return "", errors.New("no sender: set email.from in the org settings to a verified SES identity")
	}
	if len(m.To) == 0 {
		return "", errors.New("no recipient: the user has no e-mail address")
	}
	inRegion := func(o *sesv2.Options) {
		if region != "" {
			o.Region = region
		}
	}
	out, err := c.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: m.To, CcAddresses: m.CC},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")},
			},
		}},
	}, inRegion)
	if err != nil {
		return "", explain(err, region, m)
	}
	return aws.ToString(out.MessageId), nil
}

var reAddr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^\s,:;<>"']+@[^\s,:;<>"']+[A-Za-z]`) })

// explain turns SES's refusals into what to do.
func explain(err error, region string, m Message) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("send e-mail: %w", err)
	}
	msg := ae.ErrorMessage()
	switch ae.ErrorCode() {
	case "MessageRejected":
		if strings.Contains(strings.ToLower(msg), "not verified") {
			addrs := reAddr().FindAllString(msg, -1)
			for _, a := range addrs {
				if strings.EqualFold(a, m.From) {
					return senderRefused{fmt.Errorf("%w: the sender %s is not a verified SES identity in %s; verify it (SES console → Identities) or change email.from", ErrNotVerified, m.From, region)}
				}
			}
			who := strings.Join(addrs, ", ")
			if who == "" {
				who = strings.Join(append(append([]string(nil), m.To...), m.CC...), ", ")
			}
			return fmt.Errorf("%w: SES in %s is in its sandbox and sends only to verified addresses (%s is not); verify the recipient or request production access", ErrNotVerified, region, who)
		}
		return fmt.Errorf("SES rejected the message: %s", msg)
	case "MailFromDomainNotVerifiedException":
		return senderRefused{fmt.Errorf("%w: the sender's MAIL FROM domain is not verified in SES in %s: %s", ErrNotVerified, region, msg)}
	case "AccountSuspendedException", "SendingPausedException":
		return fmt.Errorf("SES in %s is not sending e-mail for this account (%s): %s", region, ae.ErrorCode(), msg)
	case "NotFoundException":
		return fmt.Errorf("%w: %s (SES in %s)", ErrNotVerified, msg, region)
	}
	return fmt.Errorf("send e-mail: %s: %s", ae.ErrorCode(), msg)
}
