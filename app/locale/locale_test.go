package locale

import "testing"

func TestFix(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"CUTF8", map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "en_US.UTF-8"}},
		{"Unset", map[string]string{}, map[string]string{"LANG": "en_US.UTF-8"}},
		{"RealLocaleKept", map[string]string{"LANG": "de_DE.UTF-8"}, map[string]string{"LANG": "de_DE.UTF-8"}},
		{"LCALLWins", map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C"}, map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C"}},
		{"PlainLCALL", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "en_US.UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			Fix(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			for k, want := range tt.want {
				if got := env[k]; got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}
