package media

import (
	"context"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

type plexIdentity struct {
	MediaContainer struct {
		Version string `json:"version"`
	} `json:"MediaContainer"`
}

type plexMedia struct {
	Bitrate  num  `json:"bitrate"`
	Selected bool `json:"selected"`
}

type plexSession struct {
	Media   list[plexMedia] `json:"Media"`
	Session *struct {
		Bandwidth num    `json:"bandwidth"`
		Location  string `json:"location"`
	} `json:"Session"`
	TranscodeSession *struct {
		VideoDecision           string `json:"videoDecision"`
		AudioDecision           string `json:"audioDecision"`
		SubtitleDecision        string `json:"subtitleDecision"`
		TranscodeHwRequested    bool   `json:"transcodeHwRequested"`
		TranscodeHwDecoding     string `json:"transcodeHwDecoding"`
		TranscodeHwEncoding     string `json:"transcodeHwEncoding"`
		TranscodeHwFullPipeline bool   `json:"transcodeHwFullPipeline"`
	} `json:"TranscodeSession"`
}

type plexSessions struct {
	MediaContainer struct {
		Metadata list[plexSession] `json:"Metadata"`
	} `json:"MediaContainer"`
}

type plexSection struct {
	Key        string `json:"key"`
	Type       string `json:"type"`
	Refreshing bool   `json:"refreshing"`
}

type plexSections struct {
	MediaContainer struct {
		Directory list[plexSection] `json:"Directory"`
	} `json:"MediaContainer"`
}

type plexSize struct {
	MediaContainer struct {
		TotalSize num `json:"totalSize"`
	} `json:"MediaContainer"`
}

func parsePlexIdentity(r io.Reader) (plexIdentity, error) { return decode[plexIdentity](r) }
func parsePlexSessions(r io.Reader) (plexSessions, error) { return decode[plexSessions](r) }
func parsePlexSections(r io.Reader) (plexSections, error) { return decode[plexSections](r) }
func parsePlexSize(r io.Reader) (plexSize, error)         { return decode[plexSize](r) }

type plexCount struct {
	plexType int
	label    string
}

// plexCounts lists, per section type, the item types worth counting: Plex's numeric type
// filter (1 movie, 2 show, 4 episode, 8 artist, 9 album, 10 track) and the label it becomes, named
// like Jellyfin's so dashboards can sum across servers. A zero type counts the section's default
// listing.
func plexCounts(sectionType string) []plexCount {
	switch sectionType {
	case "movie":
		return []plexCount{{1, "movie"}}
	case "show":
		return []plexCount{{2, "series"}, {4, "episode"}}
	case "artist":
		return []plexCount{{8, "artist"}, {9, "album"}, {10, "song"}}
	case "photo":
		return []plexCount{{0, "photo"}}
	}
	return nil
}

func fetchPlex(ctx context.Context, c *client, d *descs, s *sink) error {
	return parallel(s,
		func(s *sink) error {
			id, err := getJSON(ctx, c, ep("/identity"), capSmall, parsePlexIdentity)
			if err != nil {
				return err
			}
			s.gauge(d.info, 1, id.MediaContainer.Version)
			return nil
		},
		func(s *sink) error {
			ses, err := getJSON(ctx, c, ep("/status/sessions"), capSessions, parsePlexSessions)
			if err != nil {
				return err
			}
			plexSessionMetrics(d, s, ses.MediaContainer.Metadata)
			return nil
		},
		func(s *sink) error { return plexLibraries(ctx, c, d, s) },
	)
}

// plexDecision follows Tautulli's reading of a Plex session: no transcode session is a direct
// play; one that copies video and audio is a direct stream (remux); anything else transcodes.
// Burnt-in subtitles force a video transcode even when Plex says "copy" for the video.
func plexDecision(ses plexSession) string {
	t := ses.TranscodeSession
	if t == nil {
		return decisionDirectPlay
	}
	copyOrNone := func(s string) bool {
		s = strings.ToLower(s)
		return s == "" || s == "copy" || s == "directplay"
	}
	if copyOrNone(t.VideoDecision) && copyOrNone(t.AudioDecision) && !strings.EqualFold(t.SubtitleDecision, "burn") {
		return decisionDirectStream
	}
	return decisionTranscode
}

func plexSessionMetrics(d *descs, s *sink, sessions []plexSession) {
	streams := map[string]int{}
	bitrate := map[string]float64{}
	bandwidth := map[string]float64{"lan": 0, "wan": 0}
	hw, full := 0, 0
	for _, ses := range sessions {
		dec := plexDecision(ses)
		streams[dec]++
		// The session lists the media version it plays (for a transcode, the output), marked
		// selected when the item has several versions.
		if i := slices.IndexFunc(ses.Media, func(m plexMedia) bool { return m.Selected }); i >= 0 {
			bitrate[dec] += float64(ses.Media[i].Bitrate) * kbpsToBytes
		} else if len(ses.Media) > 0 {
			bitrate[dec] += float64(ses.Media[0].Bitrate) * kbpsToBytes
		}
		if ses.Session != nil {
			loc := strings.ToLower(ses.Session.Location)
			if loc != "lan" && loc != "wan" {
				loc = "wan"
			}
			bandwidth[loc] += float64(ses.Session.Bandwidth) * kbpsToBytes
		}
		if t := ses.TranscodeSession; t != nil && dec == decisionTranscode {
			if t.TranscodeHwFullPipeline || t.TranscodeHwDecoding != "" || t.TranscodeHwEncoding != "" {
				hw++
			}
			if t.TranscodeHwFullPipeline {
				full++
			}
		}
	}
	for _, dec := range decisions {
		s.gauge(d.streams, float64(streams[dec]), dec)
	}
	for _, dec := range decisions {
		s.gauge(d.streamBitrate, bitrate[dec], dec)
	}
	for _, loc := range []string{"lan", "wan"} {
		s.gauge(d.bandwidth, bandwidth[loc], loc)
	}
	s.gauge(d.hwTranscodes, float64(hw))
	s.gauge(d.hwFullPipeline, float64(full))
}

// plexLibraries lists the sections, then asks each for its item counts with a container size of
// zero: Plex answers with totalSize and no items, so even a huge library costs one tiny reply.
func plexLibraries(ctx context.Context, c *client, d *descs, s *sink) error {
	secs, err := getJSON(ctx, c, ep("/library/sections"), capSessions, parsePlexSections)
	if err != nil {
		return err
	}
	byType := map[string]int{}
	scanning := 0
	type query struct {
		key      string
		plexType int
		label    string
	}
	var queries []query
	for _, sec := range secs.MediaContainer.Directory {
		t := strings.ToLower(sec.Type)
		if t == "" {
			t = "unknown"
		}
		byType[t]++
		if sec.Refreshing {
			scanning++
		}
		if sec.Key == "" || strings.ContainsAny(sec.Key, "/?#") {
			continue
		}
		for _, q := range plexCounts(t) {
			queries = append(queries, query{sec.Key, q.plexType, q.label})
		}
	}
	items := map[string]float64{}
	for _, t := range []string{"movie", "show", "artist", "photo"} {
		for _, q := range plexCounts(t) {
			items[q.label] = 0
		}
	}
	// One section after the other: these replies are tiny, and a server with many libraries
	// should not see a burst of concurrent library queries at every fetch.
	for _, q := range queries {
		kv := []string{"X-Plex-Container-Start", "0", "X-Plex-Container-Size", "0"}
		if q.plexType != 0 {
			kv = append(kv, "type", strconv.Itoa(q.plexType))
		}
		size, qerr := getJSON(ctx, c, ep("/library/sections/"+q.key+"/all", kv...), capSmall, parsePlexSize)
		if qerr != nil {
			err = qerr
			break
		}
		items[q.label] += float64(size.MediaContainer.TotalSize)
	}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		s.gauge(d.libraries, float64(byType[t]), t)
	}
	s.gauge(d.librariesScanning, float64(scanning))
	if err != nil {
		// A section that failed would make its type's total wrong, not merely partial.
		return err
	}
	for _, l := range slices.Sorted(maps.Keys(items)) {
		s.gauge(d.libraryItems, items[l], l)
	}
	return nil
}
