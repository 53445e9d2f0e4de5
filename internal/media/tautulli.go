package media

import (
	"context"
	"fmt"
	"io"
	"strings"
)

type tautulliSession struct {
	TranscodeDecision       string `json:"transcode_decision"`
	StreamBitrate           num    `json:"stream_bitrate"`
	TranscodeHwDecoding     num    `json:"transcode_hw_decoding"`
	TranscodeHwEncoding     num    `json:"transcode_hw_encoding"`
	TranscodeHwFullPipeline num    `json:"transcode_hw_full_pipeline"`
}

type tautulliActivity struct {
	LANBandwidth num                   `json:"lan_bandwidth"`
	WANBandwidth num                   `json:"wan_bandwidth"`
	Sessions     list[tautulliSession] `json:"sessions"`
}

// tautulliEnvelope is Tautulli's wrapper around every API v2 reply.
type tautulliEnvelope[T any] struct {
	Response struct {
		Result  string `json:"result"`
		Message string `json:"message"`
		Data    T      `json:"data"`
	} `json:"response"`
}

type tautulliInfo struct {
	Version string `json:"tautulli_version"`
}

// parseTautulli unwraps the envelope: Tautulli reports some failures (a wrong cmd, an invalid key
// on older versions) with HTTP 200 and result "error".
func parseTautulli[T any](r io.Reader) (T, error) {
	env, err := decode[tautulliEnvelope[T]](r)
	if err != nil {
		return env.Response.Data, err
	}
	if r := env.Response.Result; r != "success" {
		msg := strings.Join(strings.Fields(strings.ToValidUTF8(env.Response.Message, "")), " ")
		if len(msg) > 200 {
			msg = msg[:200]
		}
		if msg == "" {
			return env.Response.Data, fmt.Errorf("result %q", r)
		}
		return env.Response.Data, fmt.Errorf("result %q: %s", r, msg)
	}
	return env.Response.Data, nil
}

func parseTautulliActivity(r io.Reader) (tautulliActivity, error) {
	return parseTautulli[tautulliActivity](r)
}

func parseTautulliInfo(r io.Reader) (tautulliInfo, error) { return parseTautulli[tautulliInfo](r) }

func fetchTautulli(ctx context.Context, c *client, d *descs, s *sink) error {
	return parallel(s,
		func(s *sink) error {
			info, err := getJSON(ctx, c, ep("/api/v2", "cmd", "get_tautulli_info"), capSmall, parseTautulliInfo)
			if err != nil {
				return err
			}
			s.gauge(d.info, 1, info.Version)
			return nil
		},
		func(s *sink) error {
			act, err := getJSON(ctx, c, ep("/api/v2", "cmd", "get_activity"), capSessions, parseTautulliActivity)
			if err != nil {
				return err
			}
			tautulliMetrics(d, s, act)
			return nil
		},
	)
}

// tautulliDecision maps transcode_decision ("direct play", "copy", "transcode").
func tautulliDecision(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "copy", "direct stream":
		return decisionDirectStream
	case "transcode":
		return decisionTranscode
	}
	return decisionDirectPlay
}

func tautulliMetrics(d *descs, s *sink, act tautulliActivity) {
	streams := map[string]int{}
	bitrate := map[string]float64{}
	hw, full := 0, 0
	for _, ses := range act.Sessions {
		dec := tautulliDecision(ses.TranscodeDecision)
		streams[dec]++
		bitrate[dec] += float64(ses.StreamBitrate) * kbpsToBytes
		if dec == decisionTranscode {
			if ses.TranscodeHwDecoding > 0 || ses.TranscodeHwEncoding > 0 || ses.TranscodeHwFullPipeline > 0 {
				hw++
			}
			if ses.TranscodeHwFullPipeline > 0 {
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
	// Tautulli's totals are kilobits per second; lan and wan add up to total.
	s.gauge(d.bandwidth, float64(act.LANBandwidth)*kbpsToBytes, "lan")
	s.gauge(d.bandwidth, float64(act.WANBandwidth)*kbpsToBytes, "wan")
	s.gauge(d.hwTranscodes, float64(hw))
	s.gauge(d.hwFullPipeline, float64(full))
}
