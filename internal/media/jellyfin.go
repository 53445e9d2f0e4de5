package media

import (
	"context"
	"io"
	"maps"
	"slices"
	"strings"
)

type jellyfinInfo struct {
	Version string `json:"Version"`
}

type jellyfinSession struct {
	PlayState struct {
		PlayMethod string `json:"PlayMethod"`
		IsPaused   bool   `json:"IsPaused"`
	} `json:"PlayState"`
	NowPlayingItem *struct {
		Type    string `json:"Type"`
		Bitrate num    `json:"Bitrate"`
	} `json:"NowPlayingItem"`
	TranscodingInfo *struct {
		IsVideoDirect            bool   `json:"IsVideoDirect"`
		IsAudioDirect            bool   `json:"IsAudioDirect"`
		Bitrate                  num    `json:"Bitrate"`
		HardwareAccelerationType string `json:"HardwareAccelerationType"`
	} `json:"TranscodingInfo"`
}

// jellyfinCounts is /Items/Counts; ItemCount is left out because it is the sum of the others.
type jellyfinCounts struct {
	MovieCount      num `json:"MovieCount"`
	SeriesCount     num `json:"SeriesCount"`
	EpisodeCount    num `json:"EpisodeCount"`
	ArtistCount     num `json:"ArtistCount"`
	ProgramCount    num `json:"ProgramCount"`
	TrailerCount    num `json:"TrailerCount"`
	SongCount       num `json:"SongCount"`
	AlbumCount      num `json:"AlbumCount"`
	MusicVideoCount num `json:"MusicVideoCount"`
	BoxSetCount     num `json:"BoxSetCount"`
	BookCount       num `json:"BookCount"`
}

type jellyfinFolder struct {
	CollectionType string `json:"CollectionType"`
	RefreshStatus  string `json:"RefreshStatus"`
}

func parseJellyfinInfo(r io.Reader) (jellyfinInfo, error) { return decode[jellyfinInfo](r) }
func parseJellyfinSessions(r io.Reader) ([]jellyfinSession, error) {
	return decodeList[jellyfinSession](r)
}
func parseJellyfinCounts(r io.Reader) (jellyfinCounts, error) { return decode[jellyfinCounts](r) }
func parseJellyfinFolders(r io.Reader) ([]jellyfinFolder, error) {
	return decodeList[jellyfinFolder](r)
}

func fetchJellyfin(ctx context.Context, c *client, d *descs, s *sink) error {
	return parallel(s,
		func(s *sink) error {
			info, err := getJSON(ctx, c, ep("/System/Info"), capSmall, parseJellyfinInfo)
			if err != nil {
				return err
			}
			s.gauge(d.info, 1, info.Version)
			return nil
		},
		func(s *sink) error {
			// 960 s is the window Jellyfin's own dashboard uses for "active devices".
			sessions, err := getJSON(ctx, c, ep("/Sessions", "activeWithinSeconds", "960"), capList, parseJellyfinSessions)
			if err != nil {
				return err
			}
			jellyfinSessionMetrics(d, s, sessions)
			return nil
		},
		func(s *sink) error {
			counts, err := getJSON(ctx, c, ep("/Items/Counts"), capSmall, parseJellyfinCounts)
			if err != nil {
				return err
			}
			jellyfinCountMetrics(d, s, counts)
			return nil
		},
		func(s *sink) error {
			folders, err := getJSON(ctx, c, ep("/Library/VirtualFolders"), capList, parseJellyfinFolders)
			if err != nil {
				return err
			}
			jellyfinFolderMetrics(d, s, folders)
			return nil
		},
	)
}

// jellyfinDecision maps PlayMethod to the shared decisions. Jellyfin reports a remux (container
// change, audio and video copied) as "Transcode"; TranscodingInfo tells it apart, and calling
// it direct_stream matches what Plex and Tautulli call the same thing.
func jellyfinDecision(ses jellyfinSession) string {
	switch strings.ToLower(ses.PlayState.PlayMethod) {
	case "directplay":
		return decisionDirectPlay
	case "directstream":
		return decisionDirectStream
	case "transcode":
		if t := ses.TranscodingInfo; t != nil && t.IsVideoDirect && t.IsAudioDirect {
			return decisionDirectStream
		}
		return decisionTranscode
	}
	// A client that plays without telling the server how (some DLNA renderers) fetches the file
	// as is.
	return decisionDirectPlay
}

func jellyfinSessionMetrics(d *descs, s *sink, sessions []jellyfinSession) {
	streams := map[string]int{}
	bitrate := map[string]float64{}
	hw := 0
	for _, ses := range sessions {
		if ses.NowPlayingItem == nil {
			continue
		}
		dec := jellyfinDecision(ses)
		streams[dec]++
		// Jellyfin reports bits per second: the transcode's output rate when transcoding,
		// else the source file's.
		rate := float64(ses.NowPlayingItem.Bitrate)
		if t := ses.TranscodingInfo; t != nil && dec != decisionDirectPlay && t.Bitrate > 0 {
			rate = float64(t.Bitrate)
		}
		bitrate[dec] += rate / 8
		if t := ses.TranscodingInfo; t != nil && dec == decisionTranscode && !t.IsVideoDirect {
			if a := strings.ToLower(t.HardwareAccelerationType); a != "" && a != "none" {
				hw++
			}
		}
	}
	s.gauge(d.sessions, float64(len(sessions)))
	for _, dec := range decisions {
		s.gauge(d.streams, float64(streams[dec]), dec)
	}
	for _, dec := range decisions {
		s.gauge(d.streamBitrate, bitrate[dec], dec)
	}
	s.gauge(d.hwTranscodes, float64(hw))
}

func jellyfinCountMetrics(d *descs, s *sink, c jellyfinCounts) {
	for _, kv := range []struct {
		typ string
		n   num
	}{
		{"album", c.AlbumCount}, {"artist", c.ArtistCount}, {"book", c.BookCount}, {"box_set", c.BoxSetCount},
		{"episode", c.EpisodeCount}, {"movie", c.MovieCount}, {"music_video", c.MusicVideoCount},
		{"program", c.ProgramCount}, {"series", c.SeriesCount}, {"song", c.SongCount}, {"trailer", c.TrailerCount},
	} {
		s.gauge(d.libraryItems, float64(kv.n), kv.typ)
	}
}

func jellyfinFolderMetrics(d *descs, s *sink, folders []jellyfinFolder) {
	byType := map[string]int{}
	scanning := 0
	for _, f := range folders {
		t := strings.ToLower(strings.TrimSpace(f.CollectionType))
		if t == "" {
			// Jellyfin omits the type for libraries of mixed content.
			t = "mixed"
		}
		byType[t]++
		if st := strings.ToLower(f.RefreshStatus); st != "" && st != "idle" {
			scanning++
		}
	}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		s.gauge(d.libraries, float64(byType[t]), t)
	}
	s.gauge(d.librariesScanning, float64(scanning))
}
