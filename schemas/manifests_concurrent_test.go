package schemas

import (
	"errors"
	"sync"
	"testing"
)

func TestManifestSetConcurrent(t *testing.T) {
	m := NewManifestSet()
	docs := []map[string]any{decodeYAML(t, deploymentYAML), decodeYAML(t, applicationYAML)}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			obj := docs[i%len(docs)]
			s, ok, err := m.Schema(obj["apiVersion"].(string), obj["kind"].(string))
			if err == nil && !ok {
				err = errors.New("no schema")
			}
			if err == nil {
				err = s.Validate(obj)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkValidateDeployment(b *testing.B) {
	m := NewManifestSet()
	obj := decodeYAML(b, deploymentYAML)
	s, ok, err := m.Schema("apps/v1", "Deployment")
	if err != nil || !ok {
		b.Fatal(ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(obj); err != nil {
			b.Fatal(err)
		}
	}
}
