package emulator

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// Seeded sign-in history (Options.ActivityDays): days of portal
// GetRoleCredentials events for the organization the sandbox starts with,
// the same for the same --seed, shaped like a real company's: most people
// fetch credentials for a few of their roles on workdays, rarely at
// weekends; some never sign in; and most people leave some of the roles
// they were given unused. GET /_sandbox/activity tells the truth a client
// should find: every user × account × role with its last use.

// MaxActivityDays is the most history Options.ActivityDays seeds: what
// LookupEvents keeps.
const MaxActivityDays = 90

// activity is the seeded history: compact events over a table of uses.
type activity struct {
	seed    uint64
	from    time.Time // first day seeded (UTC midnight)
	to      time.Time // end of the seeded days: the sandbox's first day, UTC midnight
	account string    // the Identity Center account: the history's owner
	region  string
	users   []activityUser
	uses    []activityUse
	events  []seededEvent // by time
}

type activityUser struct {
	who      *eventIdentity
	userID   string
	agent    string
	sourceIP string
}

// activityUse is one user × account × role.
type activityUse struct {
	user    int32
	details *serviceEventDetails
}

// seededEvent is one GetRoleCredentials of the seeded history; its seq is
// its index.
type seededEvent struct {
	at  int64 // Unix seconds
	use int32
}

func (e seededEvent) key(i int) eventKey { return eventKey{e.at * int64(time.Second), int64(i)} }

// activityUserAgents are the clients people fetch credentials with.
var activityUserAgents = []string{
	"aws-cli/2.27.50 md/awscrt#0.26.1 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.4 md/pyimpl#CPython m/b,Z,E,C cfg/retry-mode#standard md/installer#source md/prompt#off md/command#sso.get-role-credentials",
	"aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.4 md/GOOS#linux md/GOARCH#amd64 api/sso#1.25.3 m/E,g",
	"Boto3/1.40.11 md/Botocore#1.40.11 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython m/Z,b,D cfg/retry-mode#legacy Botocore/1.40.11",
}

// seedActivity builds days of history ending at the start of the day of
// start. Call with s.mu held.
func (s *Server) seedActivity(seed uint64, days int, start time.Time) *activity {
	r := rand.New(rand.NewPCG(seed, 0xac7171))
	to := start.UTC().Truncate(24 * time.Hour)
	a := &activity{seed: seed, from: to.AddDate(0, 0, -days), to: to, region: s.st.region}
	type userUses struct {
		user int32
		uses []int32
	}
	var people []userUses
	for _, in := range s.st.instances.Values() {
		owner, storeArn := s.identityCenterOf(in.IdentityStoreId)
		a.account = owner
		for _, u := range empty(s.st.users, in.IdentityStoreId).Values() {
			if u.UserStatus == "DISABLED" {
				continue
			}
			reach := s.roles(person{InstanceArn: in.InstanceArn, StoreID: in.IdentityStoreId, UserID: u.UserId, UserName: u.UserName})
			if len(reach) == 0 {
				continue
			}
			ui := int32(len(a.users))
			a.users = append(a.users, activityUser{
				who:      identityCenterUser(owner, u.UserId, storeArn, credentialID(fmt.Sprintf("seeded|%d|%s", seed, u.UserId))),
				userID:   u.UserId,
				agent:    activityUserAgents[r.IntN(len(activityUserAgents))],
				sourceIP: fmt.Sprintf("203.0.113.%d", 1+r.IntN(254)),
			})
			p := userUses{user: ui}
			for _, acct := range sortedKeys(reach) {
				if ac, ok := s.st.accounts.Get(acct); !ok || ac.State != "ACTIVE" {
					continue
				}
				for _, role := range sortedKeys(reach[acct]) {
					p.uses = append(p.uses, int32(len(a.uses)))
					a.uses = append(a.uses, activityUse{user: ui, details: &serviceEventDetails{RoleName: role, AccountId: acct}})
				}
			}
			if len(p.uses) > 0 {
				people = append(people, p)
			}
		}
	}
	for _, p := range people {
		// About one in eight people never signs in; the others use one to
		// three of their roles daily and perhaps one more now and then.
		if r.Float64() < 0.125 {
			continue
		}
		uses := slices.Clone(p.uses)
		r.Shuffle(len(uses), func(i, j int) { uses[i], uses[j] = uses[j], uses[i] })
		daily := uses[:1+r.IntN(min(3, len(uses)))]
		var occasional []int32
		if rest := uses[len(daily):]; len(rest) > 0 && r.Float64() < 0.4 {
			occasional = rest[:1]
		}
		workday := 0.55 + 0.35*r.Float64()
		for d := 0; d < days; d++ {
			day := a.from.AddDate(0, 0, d)
			chance := workday
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				chance = 0.03
			}
			if r.Float64() >= chance {
				continue
			}
			// The first fetch between 07:00 and 11:00, the others later
			// in the day.
			at := day.Add(7*time.Hour + time.Duration(r.IntN(4*3600))*time.Second)
			for i, u := range daily {
				if i > 0 && r.Float64() >= 0.6 {
					continue
				}
				a.events = append(a.events, seededEvent{at: at.Unix(), use: u})
				at = at.Add(time.Duration(5*60+r.IntN(4*3600)) * time.Second)
			}
			for _, u := range occasional {
				if r.Float64() < 0.15 {
					a.events = append(a.events, seededEvent{at: at.Unix(), use: u})
				}
			}
		}
	}
	slices.SortStableFunc(a.events, func(x, y seededEvent) int { return cmp.Compare(x.at, y.at) })
	return a
}

// event is seeded event i as a trail event.
func (a *activity) event(i int) *trailEvent {
	e := a.events[i]
	use := a.uses[e.use]
	u := &a.users[use.user]
	return &trailEvent{
		seq:       int64(i),
		at:        time.Unix(e.at, 0).UTC(),
		exact:     time.Unix(e.at, 0).UTC(),
		id:        a.id(i, 1),
		requestID: a.id(i, 2),
		service:   "sso",
		name:      "GetRoleCredentials",
		readOnly:  true,
		eventType: "AwsServiceEvent",
		region:    a.region,
		account:   a.account,
		who:       u.who,
		username:  u.userID,
		sourceIP:  u.sourceIP,
		userAgent: u.agent,
		details:   use.details,
	}
}

// id is a UUID drawn from the seed and the event's index, so seeded ids
// need no storage and are the same for the same seed.
func (a *activity) id(i int, salt uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], mix(a.seed^salt<<56^uint64(i)))
	binary.BigEndian.PutUint64(b[8:], mix(a.seed^salt<<56^uint64(i)^0x9e3779b97f4a7c15))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// mix is splitmix64's finalizer.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// ActivityReport is the body of GET /_sandbox/activity: every user ×
// account × role that is assigned now or was used in the last 90 days,
// with its last use from the portal's GetRoleCredentials events (seeded
// and made since start, whether LookupEvents shows them yet or not).
type ActivityReport struct {
	// Days is Options.ActivityDays; From and To bound the seeded history.
	Days  int            `json:"days"`
	From  time.Time      `json:"from"`
	To    time.Time      `json:"to"`
	Roles []ActivityRole `json:"roles"`
}

// ActivityRole is one user × account × role.
type ActivityRole struct {
	UserId    string `json:"userId"`
	UserName  string `json:"userName"`
	AccountId string `json:"accountId"`
	RoleName  string `json:"roleName"`
	// Assigned is whether the user can reach the role now.
	Assigned bool `json:"assigned"`
	// Uses counts its GetRoleCredentials events; LastUsed is the latest
	// (absent when never used).
	Uses     int        `json:"uses"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

// Activity returns the truth GET /_sandbox/activity serves.
func (s *Server) Activity() ActivityReport {
	s.settle()
	type triple struct{ user, account, role string }
	roles := map[triple]*ActivityRole{}
	names := map[string]string{}
	s.mu.RLock()
	for _, in := range s.st.instances.Values() {
		for _, u := range empty(s.st.users, in.IdentityStoreId).Values() {
			names[u.UserId] = u.UserName
			reach := s.roles(person{InstanceArn: in.InstanceArn, StoreID: in.IdentityStoreId, UserID: u.UserId, UserName: u.UserName})
			for acct, rs := range reach {
				for role := range rs {
					roles[triple{u.UserId, acct, role}] = &ActivityRole{UserId: u.UserId, UserName: u.UserName, AccountId: acct, RoleName: role, Assigned: true}
				}
			}
		}
	}
	s.mu.RUnlock()
	cut := s.trailNow().Add(-trailRetention)
	use := func(user string, d *serviceEventDetails, at time.Time) {
		if at.Before(cut) {
			return
		}
		k := triple{user, d.AccountId, d.RoleName}
		r := roles[k]
		if r == nil {
			r = &ActivityRole{UserId: user, UserName: names[user], AccountId: k.account, RoleName: k.role}
			roles[k] = r
		}
		r.Uses++
		if r.LastUsed == nil || at.After(*r.LastUsed) {
			r.LastUsed = &at
		}
	}
	rep := ActivityReport{Roles: []ActivityRole{}}
	tr := s.trail
	tr.mu.RLock()
	if a := tr.act; a != nil {
		rep.Days, rep.From, rep.To = int(a.to.Sub(a.from)/(24*time.Hour)), a.from, a.to
		for _, e := range a.events {
			u := a.uses[e.use]
			use(a.users[u.user].userID, u.details, time.Unix(e.at, 0).UTC())
		}
	}
	for _, e := range tr.events {
		if e.name == "GetRoleCredentials" && e.details != nil && e.who != nil && e.who.OnBehalfOf != nil {
			use(e.who.OnBehalfOf.UserId, e.details, e.at)
		}
	}
	tr.mu.RUnlock()
	for _, r := range roles {
		rep.Roles = append(rep.Roles, *r)
	}
	slices.SortFunc(rep.Roles, func(a, b ActivityRole) int {
		return cmp.Or(cmp.Compare(a.UserName, b.UserName), cmp.Compare(a.UserId, b.UserId),
			cmp.Compare(a.AccountId, b.AccountId), cmp.Compare(a.RoleName, b.RoleName))
	})
	return rep
}

func (s *Server) serveActivity(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(s.Activity())
}
