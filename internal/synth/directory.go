package synth

import (
	"math/rand/v2"
	"strconv"
	"sync"
)

// The directory of organisations and their staff is the same for every seed: the same
// practice or trust must look identical in every bundle so that conditional creates
// (ifNoneExist on the ODS code or SDS user id) find one resource, whichever seed or
// patient loaded it first.

type orgKind int

const (
	orgPractice orgKind = iota
	orgAcute
	orgCommunity
)

type org struct {
	kind     orgKind
	ods      string
	name     string
	area     *area
	lines    []string
	postcode string
	phone    string
	uuid     string
	gps      []*practitioner // practices: general practitioners; trusts: consultants
	nurses   []*practitioner
}

type staffRole int

const (
	roleGP staffRole = iota
	roleConsultant
	roleNurse
)

type practitioner struct {
	role         staffRole
	uuid         string
	sdsUserID    string // 12 digits
	gmc, gmp     string // doctors
	nmc          string // nurses
	given        string
	family       string
	sex          string
	organisation *org
}

type directory struct {
	practices map[*area][]*org
	acute     map[*area]*org
	community map[*area]*org
	// all lists every organisation in a fixed order.
	all []*org
}

// directorySeed fixes the directory independently of the population seed.
const directorySeed = 0x4a6f696e65645570 // "JoinedUp"

var theDirectory = sync.OnceValue(buildDirectory)

func buildDirectory() *directory {
	r := rand.New(rand.NewPCG(directorySeed, 1))
	d := &directory{
		practices: make(map[*area][]*org),
		acute:     make(map[*area]*org),
		community: make(map[*area]*org),
	}
	for i := range areas {
		a := &areas[i]
		acute := trustOrg(r, a, a.acute, orgAcute)
		d.acute[a] = acute
		staff(r, acute, roleConsultant, 8)
		staff(r, acute, roleNurse, 3)
		d.all = append(d.all, acute)

		comm := trustOrg(r, a, a.community, orgCommunity)
		d.community[a] = comm
		staff(r, comm, roleNurse, 4)
		d.all = append(d.all, comm)

		localities := r.Perm(len(a.localities))
		for p := range practicesPerArea {
			locality := a.localities[localities[p%len(localities)]]
			pr := &org{
				kind:     orgPractice,
				ods:      a.practicePrefix + "9" + pad(uint64(p+1), 2),
				name:     upper(locality) + " " + practiceSuffixes[r.IntN(len(practiceSuffixes))],
				area:     a,
				lines:    []string{strconv.Itoa(1+r.IntN(200)) + " " + upper(a.streets[r.IntN(len(a.streets))]), upper(locality)},
				postcode: postcode(r, a),
				phone:    landline(r, a),
			}
			pr.uuid = nameUUID("Organization", pr.ods)
			staff(r, pr, roleGP, 3)
			staff(r, pr, roleNurse, 1)
			d.practices[a] = append(d.practices[a], pr)
			d.all = append(d.all, pr)
		}
	}
	return d
}

func trustOrg(r *rand.Rand, a *area, t trust, kind orgKind) *org {
	return &org{
		kind:     kind,
		ods:      t.ods,
		name:     t.name,
		area:     a,
		lines:    []string{t.line},
		postcode: t.postcode,
		phone:    landline(r, a),
		uuid:     nameUUID("Organization", t.ods),
	}
}

func staff(r *rand.Rand, o *org, role staffRole, n int) {
	for range n {
		p := &practitioner{role: role, organisation: o}
		p.sex = "female"
		if r.IntN(2) == 0 {
			p.sex = "male"
		}
		g := pickEthnicGroup(r)
		p.given, p.family = pickName(r, g, p.sex)
		p.sdsUserID = digits(r, 12, true)
		switch role {
		case roleGP, roleConsultant:
			p.gmc = digits(r, 7, true)
			if role == roleGP {
				p.gmp = "G" + digits(r, 7, false)
			}
		case roleNurse:
			p.nmc = digits(r, 2, false) + string(rune('A'+r.IntN(26))) + digits(r, 4, false) + string(rune('A'+r.IntN(26)))
		}
		p.uuid = nameUUID("Practitioner", p.sdsUserID)
		if role == roleNurse {
			o.nurses = append(o.nurses, p)
		} else {
			o.gps = append(o.gps, p)
		}
	}
}

func digits(r *rand.Rand, n int, nonZeroFirst bool) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	if nonZeroFirst && b[0] == '0' {
		b[0] = byte('1' + r.IntN(9))
	}
	return string(b)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// postcode returns a postcode in one of the area's real districts: the outward code, a
// space, and an inward code of a sector digit and two unit letters.
func postcode(r *rand.Rand, a *area) string {
	return a.districts[r.IntN(len(a.districts))] + " " + strconv.Itoa(1+r.IntN(9)) +
		string(inwardLetters[r.IntN(len(inwardLetters))]) + string(inwardLetters[r.IntN(len(inwardLetters))])
}

// landline returns a number in Ofcom's range reserved for drama, so it reaches no one.
func landline(r *rand.Rand, a *area) string {
	local := "496 0" + digits(r, 3, false)
	switch a.dialling {
	case "020":
		local = "7946 0" + digits(r, 3, false)
	case "0191":
		local = "498 0" + digits(r, 3, false)
	}
	return a.dialling + " " + local
}

// mobile returns a mobile number in Ofcom's drama range 07700 900000-900999.
func mobile(r *rand.Rand) string {
	return "07700 900" + digits(r, 3, false)
}

func pickEthnicGroup(r *rand.Rand) *ethnicGroup {
	total := 0
	for i := range ethnicGroups {
		total += ethnicGroups[i].weight
	}
	n := r.IntN(total)
	for i := range ethnicGroups {
		if n < ethnicGroups[i].weight {
			return &ethnicGroups[i]
		}
		n -= ethnicGroups[i].weight
	}
	return &ethnicGroups[0]
}

func pickName(r *rand.Rand, g *ethnicGroup, sex string) (given, family string) {
	first := namePools[g.styles[0]]
	names := first.male
	if sex == "female" {
		names = first.female
	}
	fam := namePools[g.styles[1]].family
	return names[r.IntN(len(names))], fam[r.IntN(len(fam))]
}
