package accesscmd

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestNewCmds(t *testing.T) {
	tests := []struct {
		args    []string
		tty     bool
		want    string // "user NAME format" or "account REF format"
		wantErr string
	}{
		{args: []string{"user", "alice.johnson"}, want: "user alice.johnson csv"},
		{args: []string{"user", "alice.johnson"}, tty: true, want: "user alice.johnson table"},
		{args: []string{"user", "bob@example.com", "-o", "json", "--instance-arn", "arn:x"}, want: "user bob@example.com json arn:x"},
		{args: []string{"account", "payments-prod", "-o", "csv"}, want: "account payments-prod csv"},
		{args: []string{"account", "123456789012"}, tty: true, want: "account 123456789012 table"},
		{args: []string{"user"}, wantErr: "need exactly one user name, e.g. ssoctl access user alice.johnson (got 0 arguments)"},
		{args: []string{"user", "a", "b"}, wantErr: "(got 2 arguments)"},
		{args: []string{"user", " "}, wantErr: "the user name must not be empty"},
		{args: []string{"account"}, wantErr: "need exactly one account id or name"},
		{args: []string{"account", "x", "-o", "html"}, wantErr: `unsupported output format "html"`},
		{args: []string{"bogus"}, wantErr: `unknown command "bogus"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			ios.SetTTY(false, tt.tty, false)
			f := factory.New(ios)
			var got string
			cmd := NewCmd(f)
			cmd.RemoveCommand(cmd.Commands()...)
			cmd.AddCommand(
				NewUserCmd(f, func(_ context.Context, o *userOptions) error {
					got = strings.TrimSpace("user " + o.User + " " + o.Format + " " + o.InstanceArn)
					return nil
				}),
				NewAccountCmd(f, func(_ context.Context, o *accountOptions) error {
					got = strings.TrimSpace("account " + o.Account + " " + o.Format + " " + o.InstanceArn)
					return nil
				}))
			cmd.PersistentFlags().StringVarP(&f.Global.Output, "output", "o", "", "")
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.ErrOut)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v; want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// TestRun runs both questions against the in-process sandbox with test
// streams.
func TestRun(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	f := factory.New(ios)
	f.Global.Sandbox = true
	defer f.Close()
	cache := filepath.Join(t.TempDir(), "names.json")

	u := &userOptions{common: common{IO: ios, Clients: f.Clients, CachePath: cache, Format: "json"}, User: "mallory.evans"}
	if err := runUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		User struct {
			UserName, UserStatus string
		}
		Access []struct {
			AccountName, PermissionSet, Path string
			Flags                            []string
		}
		Stats struct{ APICalls int }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if doc.User.UserStatus != "DISABLED" || len(doc.Access) != 1 || doc.Access[0].AccountName != "payments-prod" ||
		doc.Access[0].Path != "direct" || strings.Join(doc.Access[0].Flags, ";") != "DISABLED_USER" {
		t.Errorf("got %+v", doc)
	}
	if doc.Stats.APICalls == 0 || doc.Stats.APICalls > 10 {
		t.Errorf("got %d API calls; want a few", doc.Stats.APICalls)
	}

	out.Reset()
	a := &accountOptions{common: common{IO: ios, Clients: f.Clients, CachePath: cache, Format: "csv"}, Account: "network"}
	if err := runAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	want := "permission_set,principal_type,principal_id,principal_name,user,path,flags\n"
	if !strings.HasPrefix(out.String(), want) || strings.Count(out.String(), "\n") != 5 {
		t.Errorf("got %q; want a header and 4 rows", out.String())
	}
	if errOut.Len() != 0 {
		t.Errorf("got stderr %q", errOut.String())
	}

	u.User = "nobody"
	if err := runUser(context.Background(), u); err == nil || err.Error() != `user "nobody" not found` {
		t.Errorf("got %v; want user \"nobody\" not found", err)
	}
}
