package iac_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ssoctl/ssoctl/internal/assignments/execute"
	"github.com/ssoctl/ssoctl/internal/iac"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// TestGrantClonesLeftAlone: a just-in-time grant's permission set with no
// assignment left (an expired grant's, before grant expire) is left out of
// the export and kept by prune, where an ordinary unused set is deleted.
func TestGrantClonesLeftAlone(t *testing.T) {
	ctx := context.Background()
	sb, c, dir := sandbox(t)
	admin := ssoadmin.NewFromConfig(sb.Config())
	inst, err := dir.Instance(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ssoctl-jit-abcdefghijkl", "Scratch"} {
		if _, err := admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst.Arn), Name: aws.String(name), SessionDuration: aws.String("PT1H")}); err != nil {
			t.Fatal(err)
		}
	}
	dir = inventory.NewDirectory(c.Inventory(), inventory.DirectoryOptions{})
	ex, err := iac.ReadExport(ctx, c, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range ex.PermissionSets {
		if iac.IsGrant(ps.Name) {
			t.Errorf("the export has the grant's permission set %s", ps.Name)
		}
	}
	if ex.Counts.Grants != 1 {
		t.Errorf("export counted %d grants left out; want 1", ex.Counts.Grants)
	}
	p := makePlan(t, c, dir, "PermissionSets: {}\n", true)
	var deleted []string
	for _, ch := range p.Changes {
		if ch.Op == execute.Delete {
			deleted = append(deleted, ch.PermissionSetName)
		}
	}
	if strings.Join(deleted, ",") != "Scratch" {
		t.Errorf("prune deletes %v; want only Scratch (never the grant's)", deleted)
	}
	if !strings.Contains(strings.Join(p.Kept, "\n"), "permission set ssoctl-jit-abcdefghijkl: not deleted, a just-in-time grant's") {
		t.Errorf("prune's kept list does not name the grant's set: %q", p.Kept)
	}
}

// TestGrantCloneDeclaredRefused: a file declaring or assigning a grant's
// permission set is refused at its line.
func TestGrantCloneDeclaredRefused(t *testing.T) {
	f, err := iac.Parse("ic.yaml", []byte("PermissionSets:\n  ssoctl-jit-abcdefghijkl:\n    SessionDuration: PT1H\nAssignments:\n  - Users: [dave.miller]\n    PermissionSets: [ssoctl-jit-abcdefghijkl]\n    Accounts: [payments-dev]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := iac.Merge([]*iac.File{f})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Validate()
	if err == nil {
		t.Fatal("a file declaring a grant's permission set was accepted")
	}
	for _, want := range []string{"ic.yaml:2: permission set ssoctl-jit-abcdefghijkl is a just-in-time grant's", "ic.yaml:6: permission set ssoctl-jit-abcdefghijkl is a just-in-time grant's"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q; want %q", err, want)
		}
	}
}
