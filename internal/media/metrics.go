package media

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric of the media exporter.
const Namespace = "hub_media"

// The stream decisions, shared by Jellyfin, Plex and Tautulli: direct_play sends the file as is,
// direct_stream remuxes it with audio and video copied, transcode re-encodes at least one stream.
const (
	decisionDirectPlay   = "direct_play"
	decisionDirectStream = "direct_stream"
	decisionTranscode    = "transcode"
)

var decisions = []string{decisionDirectPlay, decisionDirectStream, decisionTranscode}

// kbpsToBytes converts the kilobits per second Plex and Tautulli report to bytes per second.
const kbpsToBytes = 1000.0 / 8

// descs holds every metric description; one set per exporter, read-only after construction.
type descs struct {
	up, info, fetchDuration, cacheAge               *prometheus.Desc
	sessions, streams, hwTranscodes, hwFullPipeline *prometheus.Desc
	streamBitrate, bandwidth                        *prometheus.Desc
	libraryItems, libraries, librariesScanning      *prometheus.Desc
	queueItems, wanted, health                      *prometheus.Desc
	rootFree, rootSize, rootAccessible, indexers    *prometheus.Desc
}

func newDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help,
		append([]string{"app", "name"}, labels...), nil)
}

func newDescs() *descs {
	return &descs{
		up:            newDesc("up", "Whether every endpoint of the instance answered in the last fetch (1) or not (0)."),
		info:          newDesc("app_info", "Version the instance reports in its system status.", "version"),
		fetchDuration: newDesc("target_fetch_duration_seconds", "How long the last fetch of all the instance's endpoints took."),
		cacheAge:      newDesc("target_cache_age_seconds", "Age of the served data: fetches happen at most once per --media.min-interval."),
		sessions:      newDesc("sessions", "Client sessions active in the last 16 minutes, playing or not (Jellyfin's dashboard window)."),
		streams:       newDesc("streams", "Streams playing now, by decision: direct_play, direct_stream (remux, audio and video copied) or transcode.", "decision"),
		hwTranscodes:  newDesc("hardware_transcode_streams", "Transcoding streams that use hardware acceleration for decoding or encoding."),
		hwFullPipeline: newDesc("hardware_full_pipeline_transcode_streams",
			"Transcoding streams that decode and encode in hardware, as Plex reports it (transcodeHwFullPipeline)."),
		streamBitrate: newDesc("stream_bitrate_bytes_per_second", "Sum of the bitrates of the streams playing now, by decision.", "decision"),
		bandwidth:     newDesc("bandwidth_bytes_per_second", "Bandwidth the streams use, by client location (lan or wan); the total is their sum.", "location"),
		libraryItems:  newDesc("library_items", "Items in the libraries, by item type.", "type"),
		libraries:     newDesc("libraries", "Libraries, by content type.", "type"),
		librariesScanning: newDesc("libraries_scanning",
			"Libraries being scanned or refreshed now."),
		queueItems: newDesc("queue_items", "Items in the download queue, by download status and tracked status (ok, warning, error).",
			"status", "tracked_status"),
		wanted:   newDesc("wanted_items", "Monitored items wanted: missing (no file) or cutoff_unmet (a file below the quality cutoff).", "reason"),
		health:   newDesc("health_issues", "Health check findings, by the check that raised them and their severity.", "source", "type"),
		rootFree: newDesc("root_folder_free_bytes", "Free space on the file system of a root folder.", "path"),
		rootSize: newDesc("root_folder_size_bytes",
			"Size of the file system holding a root folder (from the diskspace endpoint; absent when no mount matches).", "path"),
		rootAccessible: newDesc("root_folder_accessible", "Whether the application can access the root folder.", "path"),
		indexers:       newDesc("indexers", "Indexers configured in Prowlarr, by protocol and whether they are enabled.", "protocol", "enabled"),
	}
}

// sink collects the metrics of one instance; every value carries the instance's app and name.
type sink struct {
	inst Instance
	out  []prometheus.Metric
}

func (s *sink) gauge(d *prometheus.Desc, v float64, labels ...string) {
	lv := append([]string{string(s.inst.App), s.inst.Name}, labels...)
	for i := range lv {
		lv[i] = label(lv[i])
	}
	s.out = append(s.out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...))
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
