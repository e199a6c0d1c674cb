package file

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoctl/ssoctl/internal/assignments"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/inventory"
)

// ExportNames are what an export writes live assignments with.
type ExportNames struct {
	// Accounts are the organization's accounts.
	Accounts []inventory.Account
	// ManagementAccount is written by id (a file names it only by id).
	ManagementAccount string
	// PermissionSets name permission sets by ARN.
	PermissionSets map[string]string
	// Users and Groups name principals by id; a principal missing here
	// was deleted and its assignments are left out.
	Users  map[string]string
	Groups map[string]string
}

// ExportGroup is one group of an exported file.
type ExportGroup struct {
	Groups         []string `yaml:"Groups,omitempty"`
	Users          []string `yaml:"Users,omitempty"`
	PermissionSets []string `yaml:"PermissionSets"`
	Accounts       []string `yaml:"Accounts"`
}

// Export is the result of exporting live assignments.
type Export struct {
	Groups []ExportGroup
	// Assignments counts those written; Orphans those of deleted
	// principals, left out (they cannot be declared; prune removes them).
	Assignments int
	Orphans     int
}

// MakeExport groups live assignments compactly: the principals of each
// permission set in each account form a set; the accounts where a
// permission set has the same principal set form a group, and groups with
// the same principals and accounts share one entry with their permission
// sets listed together. Names are written where they are unique (account
// names shared by several accounts, and the management account, by id);
// read back and planned, the file declares exactly the live assignments.
func MakeExport(live []assignments.Assignment, n ExportNames) *Export {
	byName := map[string]int{}
	for _, a := range n.Accounts {
		byName[a.Name]++
	}
	accountRef := map[string]string{}
	for _, a := range n.Accounts {
		ref := a.Name
		if a.Id == n.ManagementAccount || byName[a.Name] != 1 || a.Name == "" || awsconfig.IsAccountID(a.Name) {
			ref = a.Id
		}
		accountRef[a.Id] = ref
	}
	userCount, groupCount := map[string]int{}, map[string]int{}
	for _, nm := range n.Users {
		userCount[nm]++
	}
	for _, nm := range n.Groups {
		groupCount[nm]++
	}
	principalRef := func(typ, id string) (string, bool) {
		if typ == PrincipalUser {
			nm, ok := n.Users[id]
			if !ok {
				return "", false
			}
			if userCount[nm] != 1 || nm == "" {
				return id, true
			}
			return nm, true
		}
		nm, ok := n.Groups[id]
		if !ok {
			return "", false
		}
		if groupCount[nm] != 1 || nm == "" {
			return id, true
		}
		return nm, true
	}
	psRef := func(arn string) string {
		if nm := n.PermissionSets[arn]; nm != "" {
			return nm
		}
		return arn
	}
	ex := &Export{}
	var ts []triple
	for _, a := range live {
		ref, ok := principalRef(a.PrincipalType, a.PrincipalId)
		if !ok {
			ex.Orphans++
			continue
		}
		acct := accountRef[a.AccountId]
		if acct == "" {
			acct = a.AccountId
		}
		ts = append(ts, triple{psRef(a.PermissionSetArn), a.PrincipalType + "\x00" + ref, acct})
		ex.Assignments++
	}
	// Two exact covers; the one with fewer groups is written.
	sets := cover(ts, false)
	if other := cover(ts, true); len(other) < len(sets) {
		sets = other
	}
	for s, pss := range sets {
		sort.Strings(pss)
		g := ExportGroup{PermissionSets: pss, Accounts: strings.Split(s.accounts, "\x01")}
		for _, p := range strings.Split(s.principals, "\x01") {
			typ, ref, _ := strings.Cut(p, "\x00")
			if typ == PrincipalUser {
				g.Users = append(g.Users, ref)
			} else {
				g.Groups = append(g.Groups, ref)
			}
		}
		ex.Groups = append(ex.Groups, g)
	}
	sort.Slice(ex.Groups, func(i, j int) bool {
		a, b := ex.Groups[i], ex.Groups[j]
		if x, y := strings.Join(a.PermissionSets, ","), strings.Join(b.PermissionSets, ","); x != y {
			return x < y
		}
		if x, y := strings.Join(a.Groups, ",")+"|"+strings.Join(a.Users, ","), strings.Join(b.Groups, ",")+"|"+strings.Join(b.Users, ","); x != y {
			return x < y
		}
		return strings.Join(a.Accounts, ",") < strings.Join(b.Accounts, ",")
	})
	return ex
}

type triple struct{ ps, principal, account string }

// shape is a set of principals and a set of accounts (each sorted and
// joined).
type shape struct{ principals, accounts string }

// cover partitions the assignments into groups, each a principal set × an
// account set × the permission sets they share. It first collects, per
// permission set, the principals of each account (or, byPrincipal, the
// accounts of each principal), then the accounts (principals) sharing a
// principal (account) set, then the permission sets sharing both.
func cover(ts []triple, byPrincipal bool) map[shape][]string {
	type key struct{ ps, x string }
	first := map[key][]string{}
	for _, t := range ts {
		if byPrincipal {
			first[key{t.ps, t.principal}] = append(first[key{t.ps, t.principal}], t.account)
		} else {
			first[key{t.ps, t.account}] = append(first[key{t.ps, t.account}], t.principal)
		}
	}
	second := map[key][]string{}
	for k, vs := range first {
		k2 := key{k.ps, joinSorted(vs)}
		second[k2] = append(second[k2], k.x)
	}
	out := map[shape][]string{}
	for k, vs := range second {
		s := shape{principals: k.x, accounts: joinSorted(vs)}
		if byPrincipal {
			s = shape{principals: joinSorted(vs), accounts: k.x}
		}
		out[s] = append(out[s], k.ps)
	}
	return out
}

func joinSorted(vs []string) string {
	sort.Strings(vs)
	return strings.Join(vs, "\x01")
}

// Encode writes the export as an assignments file, with a header comment.
func (ex *Export) Encode(header string) ([]byte, error) {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString("# " + line + "\n")
	}
	if len(ex.Groups) == 0 {
		b.WriteString("[]\n")
		return []byte(b.String()), nil
	}
	var doc yaml.Node
	if err := doc.Encode(ex.Groups); err != nil {
		return nil, fmt.Errorf("encode the export: %w", err)
	}
	// Short lists on one line keep the file readable.
	for _, g := range doc.Content {
		for i := 1; i < len(g.Content); i += 2 {
			if len(g.Content[i].Content) <= 6 {
				g.Content[i].Style = yaml.FlowStyle
			}
		}
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode the export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
