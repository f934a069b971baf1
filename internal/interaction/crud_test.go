package interaction

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestCreateReadUpdateDelete(t *testing.T) {
	svc := newTestService(t)
	v := mustCreate(t, svc, "Patient", `{"resourceType":"Patient","id":"client-id","name":[{"family":"Smith"}]}`)
	if v.ID == "client-id" || v.VersionID != 1 {
		t.Fatalf("create: id %q version %d; want a server id and version 1", v.ID, v.VersionID)
	}
	if !strings.Contains(string(v.Body), `"versionId":"1"`) || !strings.Contains(string(v.Body), `"id":"`+v.ID+`"`) {
		t.Fatalf("stored body lacks meta or id: %s", v.Body)
	}
	got, err := svc.Read(bg, anyone, "Patient", v.ID)
	if err != nil || string(got.Body) != string(v.Body) {
		t.Fatalf("read: %v %s", err, got.Body)
	}
	up, err := svc.Update(bg, anyone, "Patient", v.ID, []byte(`{"resourceType":"Patient","id":"`+v.ID+`","active":true}`), UpdateOptions{IfMatch: `W/"1"`})
	if err != nil || up.Status != http.StatusOK || up.Version.VersionID != 2 {
		t.Fatalf("update: %v %+v", err, up)
	}
	_, err = svc.Update(bg, anyone, "Patient", v.ID, []byte(`{"resourceType":"Patient","id":"`+v.ID+`"}`), UpdateOptions{IfMatch: `W/"1"`})
	if e := AsError(err); e.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %v", err)
	}
	del, err := svc.Delete(bg, anyone, "Patient", v.ID, DeleteOptions{})
	if err != nil || del.Version.VersionID != 3 {
		t.Fatalf("delete: %v %+v", err, del)
	}
	_, err = svc.Read(bg, anyone, "Patient", v.ID)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusGone || e.Version.VersionID != 3 {
		t.Fatalf("read after delete: %v", err)
	}
	if _, err := svc.Delete(bg, anyone, "Patient", v.ID, DeleteOptions{}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	hist, err := svc.History(bg, anyone, "Patient", v.ID, nil)
	if err != nil || strings.Count(string(hist), `"fullUrl"`) != 3 {
		t.Fatalf("history: %v %s", err, hist)
	}
}
