package snomed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// fixture is a small RF2 release in the UK edition layout: an International package and a
// UK clinical package (with the UK language reference set), holding real concepts and
// their is-a hierarchy (intermediate concepts left out). Description and relationship ids
// are made up with valid check digits; 190388001 is marked inactive to exercise the
// active flag; the simple reference set 1000061000000104 and its members are made up.
const fixture = "testdata/uk_sct2cl_39.0.0_20240925000001Z"

// LoadFixture loads the fixture into a temporary store.
func loadFixture(t testing.TB) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	var calls int
	err := Load(context.Background(), fixture, path, LoadOptions{Progress: func(done, total int64) {
		calls++
		if done > total {
			t.Errorf("progress %d of %d", done, total)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestLoadConcepts(t *testing.T) {
	st := loadFixture(t)
	ctx := context.Background()
	tests := []struct {
		id        string
		want      *Concept
		wantFound bool
	}{
		{"22298006", &Concept{ID: "22298006", Active: true, FSN: "Myocardial infarction (disorder)",
			Preferred: "Myocardial infarction", Synonyms: []string{"Heart attack", "Cardiac infarction"},
			Parents: []string{"414545008"}}, true},
		// The UK language reference set makes "Hypertension" preferred over the first synonym.
		{"38341003", &Concept{ID: "38341003", Active: true, FSN: "Hypertensive disorder, systemic arterial (disorder)",
			Preferred: "Hypertension", Synonyms: []string{"Hypertensive disorder", "High blood pressure"},
			Parents: []string{"49601007"}}, true},
		{"73211009", &Concept{ID: "73211009", Active: true, FSN: "Diabetes mellitus (disorder)",
			Preferred: "Diabetes mellitus", Synonyms: []string{"DM - Diabetes mellitus"},
			Parents: []string{"362969004"}, Children: []string{"44054006", "46635009"}}, true},
		{"190388001", &Concept{ID: "190388001", Active: false, FSN: "Multiple complications of type 1 diabetes mellitus (disorder)",
			Preferred: "Multiple complications of type 1 diabetes mellitus", Parents: []string{"46635009"}}, true},
		{"999001261000000100", &Concept{ID: "999001261000000100", Active: true,
			FSN:       "National Health Service realm language reference set (clinical part) (foundation metadata concept)",
			Preferred: "National Health Service realm language reference set (clinical part)", Parents: []string{"900000000000506000"}}, true},
		{"195967001", nil, false}, // Asthma: a real concept, not in the fixture
		{"abc", nil, false},
	}
	for _, tt := range tests {
		got, err := st.Concept(ctx, tt.id)
		if err != nil {
			t.Fatalf("Concept(%s): %v", tt.id, err)
		}
		if (got != nil) != tt.wantFound {
			t.Errorf("Concept(%s) found = %v, want %v", tt.id, got != nil, tt.wantFound)
			continue
		}
		if got == nil {
			continue
		}
		if got.ID != tt.want.ID || got.Active != tt.want.Active || got.FSN != tt.want.FSN || got.Preferred != tt.want.Preferred ||
			!slices.Equal(got.Synonyms, tt.want.Synonyms) || !slices.Equal(got.Parents, tt.want.Parents) || !slices.Equal(got.Children, tt.want.Children) {
			t.Errorf("Concept(%s)\n got %+v\nwant %+v", tt.id, *got, *tt.want)
		}
	}
	if want := "uk_sct2cl_39.0.0_20240925000001Z (20240925)"; st.Release() != want {
		t.Errorf("Release() = %q, want %q", st.Release(), want)
	}
}

func TestIsA(t *testing.T) {
	st := loadFixture(t)
	ctx := context.Background()
	tests := []struct {
		id, ancestor string
		want         bool
	}{
		{"22298006", "22298006", true},
		{"22298006", "414545008", true},
		{"22298006", "49601007", true}, // through 414545008; the direct is-a was inactivated by the UK package
		{"22298006", "404684003", true},
		{"22298006", "138875005", true},
		{"44054006", "73211009", true},
		{"44054006", "64572001", true},
		{"73211009", "44054006", false},
		{"38341003", "414545008", false},
		{"22298006", "302509004", false}, // finding site is not is-a
		{"71388002", "404684003", false}, // stated relationships are not loaded
		{"22298006", "x", false},
	}
	for _, tt := range tests {
		got, err := st.IsA(ctx, tt.id, tt.ancestor)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("IsA(%s, %s) = %v, want %v", tt.id, tt.ancestor, got, tt.want)
		}
	}
}

func TestDescendants(t *testing.T) {
	st := loadFixture(t)
	ctx := context.Background()
	got, err := st.Descendants(ctx, "73211009", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"44054006", "46635009", "190388001"}; !slices.Equal(got, want) {
		t.Errorf("Descendants(73211009) = %v, want %v", got, want)
	}
	if _, err := st.Descendants(ctx, "138875005", 5); !errors.Is(err, ErrTooMany) {
		t.Errorf("Descendants(root, 5) error = %v, want ErrTooMany", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := Load(context.Background(), dir, path, LoadOptions{}); err == nil {
		t.Error("Load of an empty folder succeeded")
	}
	// A file with a wrong header is refused, and no store is left behind.
	term := filepath.Join(dir, "rel", "Snapshot", "Terminology")
	if err := os.MkdirAll(term, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"sct2_Concept_Snapshot_X_1.txt":      "id\teffectiveTime\n",
		"sct2_Description_Snapshot_X_1.txt":  "",
		"sct2_Relationship_Snapshot_X_1.txt": "",
	} {
		if err := os.WriteFile(filepath.Join(term, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Load(context.Background(), filepath.Join(dir, "rel"), path, LoadOptions{}); err == nil {
		t.Error("Load with a bad header succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("store left behind after a failed load: %v", err)
	}
}

func TestRefsetMembers(t *testing.T) {
	st := loadFixture(t)
	ctx := context.Background()
	const refset = "1000061000000104"
	tests := []struct {
		id   string
		want bool
	}{
		{"22298006", true},
		{"38341003", true},
		{"73211009", false}, // its membership row is inactive
		{"44054006", false},
	}
	for _, tt := range tests {
		got, err := st.MemberOf(ctx, tt.id, refset)
		if err != nil || got != tt.want {
			t.Errorf("MemberOf(%s) = %v, %v; want %v", tt.id, got, err, tt.want)
		}
	}
	members, err := st.Members(ctx, refset, 10)
	if err != nil || !slices.Equal(members, []string{"22298006", "38341003"}) {
		t.Errorf("Members = %v, %v", members, err)
	}
	if _, err := st.Members(ctx, refset, 1); !errors.Is(err, ErrTooMany) {
		t.Errorf("Members with limit 1: %v", err)
	}
}
