package media

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// seed adds the recorded replies as the fuzz corpus, plus shapes real servers produce when
// something is off: nulls, numbers as strings, empty bodies.
func seed(f *testing.F, files ...string) {
	f.Helper()
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "null", "[]", "{}", `{"totalRecords":"12"}`, `[{"path":null,"freeSpace":-1}]`} {
		f.Add([]byte(s))
	}
}

// fuzzParser checks the contract every parser shares with the metrics code behind it: any input
// either fails to parse or yields metrics (valid label values, no panic); and a value that
// parsed re-encodes to JSON that parses to the same metrics, so nothing depends on input quirks
// beyond what the types capture.
func fuzzParser[T any](f *testing.F, parse func(io.Reader) (T, error), emit func(*descs, *sink, T)) {
	fuzzParserEnc(f, parse, emit, func(v T) ([]byte, error) { return json.Marshal(v) })
}

// fuzzParserEnc is fuzzParser for replies whose parser unwraps an envelope that encode restores.
func fuzzParserEnc[T any](f *testing.F, parse func(io.Reader) (T, error), emit func(*descs, *sink, T), encode func(T) ([]byte, error)) {
	d := newDescs()
	inst := Instance{App: sonarr, Name: "fuzz"}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		s := &sink{inst: inst}
		emit(d, s, v)
		for _, m := range s.out {
			if m.Desc() == nil {
				t.Fatal("metric without description")
			}
		}
		again, err := encode(v)
		if err != nil {
			return
		}
		v2, err := parse(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded value does not parse: %v\n%s", err, again)
		}
		s2 := &sink{inst: inst}
		emit(d, s2, v2)
		if len(s.out) != len(s2.out) {
			t.Fatalf("%d metrics, %d after a round trip", len(s.out), len(s2.out))
		}
	})
}

func FuzzArrStatus(f *testing.F) {
	seed(f, "sonarr/system_status.json", "radarr/system_status.json", "lidarr/system_status.json", "prowlarr/system_status.json")
	fuzzParser(f, parseArrStatus, func(d *descs, s *sink, v arrStatus) { s.gauge(d.info, 1, v.Version) })
}

func FuzzArrHealth(f *testing.F) {
	seed(f, "sonarr/health.json", "radarr/health.json", "lidarr/health.json", "prowlarr/health.json")
	fuzzParser(f, parseArrHealth, healthMetrics)
}

func FuzzArrPage(f *testing.F) {
	seed(f, "sonarr/queue.json", "radarr/queue.json", "lidarr/queue.json", "sonarr/wanted_missing.json", "radarr/wanted_cutoff.json")
	fuzzParser(f, parseArrPage, func(d *descs, s *sink, p arrPage) {
		queueMetrics(d, s, p.Records, int(p.TotalRecords))
		s.gauge(d.wanted, float64(p.TotalRecords), "missing")
	})
}

func FuzzArrDiskSpace(f *testing.F) {
	seed(f, "sonarr/diskspace.json")
	roots, err := parseArrRootFolders(bytes.NewReader(mustRead(f, "sonarr/rootfolder.json")))
	if err != nil {
		f.Fatal(err)
	}
	fuzzParser(f, parseArrDiskSpace, func(d *descs, s *sink, disks []arrDisk) { rootFolderMetrics(d, s, roots, disks) })
}

func FuzzArrRootFolders(f *testing.F) {
	seed(f, "sonarr/rootfolder.json", "radarr/rootfolder.json", "lidarr/rootfolder.json")
	disks, err := parseArrDiskSpace(bytes.NewReader(mustRead(f, "sonarr/diskspace.json")))
	if err != nil {
		f.Fatal(err)
	}
	fuzzParser(f, parseArrRootFolders, func(d *descs, s *sink, roots []arrRootFolder) { rootFolderMetrics(d, s, roots, disks) })
}

func FuzzProwlarrIndexers(f *testing.F) {
	seed(f, "prowlarr/indexer.json")
	fuzzParser(f, parseProwlarrIndexers, indexerMetrics)
}

func FuzzJellyfinInfo(f *testing.F) {
	seed(f, "jellyfin/system_info.json")
	fuzzParser(f, parseJellyfinInfo, func(d *descs, s *sink, v jellyfinInfo) { s.gauge(d.info, 1, v.Version) })
}

func FuzzJellyfinSessions(f *testing.F) {
	seed(f, "jellyfin/sessions.json", "jellyfin/empty_list.json")
	fuzzParser(f, parseJellyfinSessions, jellyfinSessionMetrics)
}

func FuzzJellyfinCounts(f *testing.F) {
	seed(f, "jellyfin/items_counts.json", "jellyfin/items_counts_empty.json")
	fuzzParser(f, parseJellyfinCounts, jellyfinCountMetrics)
}

func FuzzJellyfinFolders(f *testing.F) {
	seed(f, "jellyfin/virtual_folders.json")
	fuzzParser(f, parseJellyfinFolders, jellyfinFolderMetrics)
}

func FuzzPlexIdentity(f *testing.F) {
	seed(f, "plex/identity.json")
	fuzzParser(f, parsePlexIdentity, func(d *descs, s *sink, v plexIdentity) { s.gauge(d.info, 1, v.MediaContainer.Version) })
}

func FuzzPlexSessions(f *testing.F) {
	seed(f, "plex/sessions.json", "plex/sessions_empty.json")
	fuzzParser(f, parsePlexSessions, func(d *descs, s *sink, v plexSessions) { plexSessionMetrics(d, s, v.MediaContainer.Metadata) })
}

func FuzzPlexSections(f *testing.F) {
	seed(f, "plex/sections.json", "plex/sections_empty.json")
	fuzzParser(f, parsePlexSections, func(d *descs, s *sink, v plexSections) {
		for _, sec := range v.MediaContainer.Directory {
			s.gauge(d.libraries, 1, sec.Type)
		}
	})
}

func FuzzPlexSize(f *testing.F) {
	seed(f, "plex/section_1_type_1.json", "plex/section_4_all.json")
	fuzzParser(f, parsePlexSize, func(d *descs, s *sink, v plexSize) {
		s.gauge(d.libraryItems, float64(v.MediaContainer.TotalSize), "movie")
	})
}

func FuzzTautulliActivity(f *testing.F) {
	seed(f, "tautulli/get_activity.json", "tautulli/get_activity_empty.json", "tautulli/invalid_apikey.json")
	fuzzParserEnc(f, parseTautulliActivity, tautulliMetrics, tautulliSuccess[tautulliActivity])
}

func FuzzTautulliInfo(f *testing.F) {
	seed(f, "tautulli/get_tautulli_info.json", "tautulli/invalid_apikey.json")
	fuzzParserEnc(f, parseTautulliInfo, func(d *descs, s *sink, v tautulliInfo) { s.gauge(d.info, 1, v.Version) },
		tautulliSuccess[tautulliInfo])
}

// tautulliSuccess wraps data the way Tautulli does: only successful replies parse to data.
func tautulliSuccess[T any](v T) ([]byte, error) {
	var env tautulliEnvelope[T]
	env.Response.Result = "success"
	env.Response.Data = v
	return json.Marshal(env)
}

func mustRead(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
