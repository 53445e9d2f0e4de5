package media

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
)

// apiBase is the API root of an *arr application: Sonarr and Radarr speak v3, Lidarr and
// Prowlarr v1.
func apiBase(app App) string {
	if app == sonarr || app == radarr {
		return "/api/v3"
	}
	return "/api/v1"
}

// queuePageSize and maxQueuePages bound the queue walk: a few thousand items is already an
// unhealthy queue, and paging further would turn a scrape into load on the application.
const (
	queuePageSize = 200
	maxQueuePages = 10
)

type arrStatus struct {
	AppName string `json:"appName"`
	Version string `json:"version"`
}

type arrHealthCheck struct {
	Source  string `json:"source"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

type arrQueueRecord struct {
	Status                string `json:"status"`
	TrackedDownloadStatus string `json:"trackedDownloadStatus"`
	TrackedDownloadState  string `json:"trackedDownloadState"`
}

// arrPage is the paging envelope of queue and wanted/*.
type arrPage struct {
	Page         num                  `json:"page"`
	PageSize     num                  `json:"pageSize"`
	TotalRecords num                  `json:"totalRecords"`
	Records      list[arrQueueRecord] `json:"records"`
}

type arrDisk struct {
	Path       string `json:"path"`
	Label      string `json:"label"`
	FreeSpace  num    `json:"freeSpace"`
	TotalSpace num    `json:"totalSpace"`
}

type arrRootFolder struct {
	Path       string `json:"path"`
	Accessible *bool  `json:"accessible"`
	FreeSpace  num    `json:"freeSpace"`
	TotalSpace num    `json:"totalSpace"`
}

type prowlarrIndexer struct {
	Enable   bool   `json:"enable"`
	Protocol string `json:"protocol"`
}

func parseArrStatus(r io.Reader) (arrStatus, error)            { return decode[arrStatus](r) }
func parseArrHealth(r io.Reader) ([]arrHealthCheck, error)     { return decodeList[arrHealthCheck](r) }
func parseArrPage(r io.Reader) (arrPage, error)                { return decode[arrPage](r) }
func parseArrDiskSpace(r io.Reader) ([]arrDisk, error)         { return decodeList[arrDisk](r) }
func parseArrRootFolders(r io.Reader) ([]arrRootFolder, error) { return decodeList[arrRootFolder](r) }
func parseProwlarrIndexers(r io.Reader) ([]prowlarrIndexer, error) {
	return decodeList[prowlarrIndexer](r)
}

func fetchArr(ctx context.Context, c *client, d *descs, s *sink) error {
	base := apiBase(c.inst.App)
	return parallel(s,
		func(s *sink) error { return arrStatusAndHealth(ctx, c, d, s) },
		func(s *sink) error { return arrQueue(ctx, c, d, s) },
		func(s *sink) error { return arrWanted(ctx, c, d, s, base+"/wanted/missing", "missing") },
		func(s *sink) error { return arrWanted(ctx, c, d, s, base+"/wanted/cutoff", "cutoff_unmet") },
		func(s *sink) error { return arrRootFolders(ctx, c, d, s) },
	)
}

func fetchProwlarr(ctx context.Context, c *client, d *descs, s *sink) error {
	return parallel(s,
		func(s *sink) error { return arrStatusAndHealth(ctx, c, d, s) },
		func(s *sink) error {
			idx, err := getJSON(ctx, c, ep(apiBase(c.inst.App)+"/indexer"), capIndexers, parseProwlarrIndexers)
			if err != nil {
				return err
			}
			indexerMetrics(d, s, idx)
			return nil
		},
	)
}

func arrStatusAndHealth(ctx context.Context, c *client, d *descs, s *sink) error {
	base := apiBase(c.inst.App)
	return parallel(s,
		func(s *sink) error {
			st, err := getJSON(ctx, c, ep(base+"/system/status"), capSmall, parseArrStatus)
			if err != nil {
				return err
			}
			s.gauge(d.info, 1, st.Version)
			return nil
		},
		func(s *sink) error {
			h, err := getJSON(ctx, c, ep(base+"/health"), capSmall, parseArrHealth)
			if err != nil {
				return err
			}
			healthMetrics(d, s, h)
			return nil
		},
	)
}

func healthMetrics(d *descs, s *sink, checks []arrHealthCheck) {
	type key struct{ source, typ string }
	counts := map[key]int{}
	for _, h := range checks {
		if strings.EqualFold(h.Type, "ok") {
			continue
		}
		counts[key{h.Source, strings.ToLower(h.Type)}]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return strings.Compare(a.source+"\x00"+a.typ, b.source+"\x00"+b.typ)
	})
	for _, k := range keys {
		src := k.source
		if src == "" {
			src = "unknown"
		}
		s.gauge(d.health, float64(counts[k]), src, snake(k.typ))
	}
}

// arrQueue walks the paged queue and counts items by status. Items beyond the page cap are
// reported as status "not_fetched" so that the sum still equals the queue's length.
func arrQueue(ctx context.Context, c *client, d *descs, s *sink) error {
	unknown := map[App]string{sonarr: "includeUnknownSeriesItems", radarr: "includeUnknownMovieItems", lidarr: "includeUnknownArtistItems"}[c.inst.App]
	var records []arrQueueRecord
	total := 0
	for page := 1; page <= maxQueuePages; page++ {
		e := ep(apiBase(c.inst.App)+"/queue", "page", strconv.Itoa(page), "pageSize", strconv.Itoa(queuePageSize), unknown, "true")
		p, err := getJSON(ctx, c, e, capPage, parseArrPage)
		if err != nil {
			return err
		}
		total = int(p.TotalRecords)
		records = append(records, p.Records...)
		if len(p.Records) == 0 || len(records) >= total {
			break
		}
	}
	queueMetrics(d, s, records, total)
	return nil
}

func queueMetrics(d *descs, s *sink, records []arrQueueRecord, total int) {
	type key struct{ status, tracked string }
	counts := map[key]int{}
	for _, r := range records {
		counts[key{snake(r.Status), snake(r.TrackedDownloadStatus)}]++
	}
	if rest := total - len(records); rest > 0 {
		counts[key{"not_fetched", "unknown"}] += rest
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return strings.Compare(a.status+"\x00"+a.tracked, b.status+"\x00"+b.tracked)
	})
	for _, k := range keys {
		s.gauge(d.queueItems, float64(counts[k]), k.status, k.tracked)
	}
}

// arrWanted reads only the total of a wanted list: pageSize=1 keeps the reply tiny whatever the
// library size.
func arrWanted(ctx context.Context, c *client, d *descs, s *sink, p, reason string) error {
	page, err := getJSON(ctx, c, ep(p, "page", "1", "pageSize", "1"), capSmall, parseArrPage)
	if err != nil {
		return err
	}
	s.gauge(d.wanted, float64(page.TotalRecords), reason)
	return nil
}

func arrRootFolders(ctx context.Context, c *client, d *descs, s *sink) error {
	base := apiBase(c.inst.App)
	var roots []arrRootFolder
	var disks []arrDisk
	err := parallel(s,
		func(*sink) error {
			var err error
			roots, err = getJSON(ctx, c, ep(base+"/rootfolder"), capList, parseArrRootFolders)
			return err
		},
		func(*sink) error {
			var err error
			disks, err = getJSON(ctx, c, ep(base+"/diskspace"), capSmall, parseArrDiskSpace)
			return err
		},
	)
	// Root folders alone are still worth reporting when diskspace failed: free space and
	// accessibility come from the root folder endpoint itself.
	rootFolderMetrics(d, s, roots, disks)
	if err != nil {
		return fmt.Errorf("root folders: %w", err)
	}
	return nil
}

func rootFolderMetrics(d *descs, s *sink, roots []arrRootFolder, disks []arrDisk) {
	seen := map[string]bool{}
	for _, r := range roots {
		p := cleanPath(r.Path)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		s.gauge(d.rootFree, float64(r.FreeSpace), p)
		if r.Accessible != nil {
			s.gauge(d.rootAccessible, boolf(*r.Accessible), p)
		}
		size := float64(r.TotalSpace)
		if size == 0 {
			if disk, ok := mountOf(p, disks); ok {
				size = float64(disk.TotalSpace)
			}
		}
		if size > 0 {
			s.gauge(d.rootSize, size, p)
		}
	}
}

// cleanPath normalises a root folder path; the applications report it with a trailing slash.
func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	return path.Clean(p)
}

// mountOf finds the diskspace entry whose path is the longest prefix of p: the file system the
// root folder lives on.
func mountOf(p string, disks []arrDisk) (arrDisk, bool) {
	var best arrDisk
	found := false
	for _, disk := range disks {
		m := cleanPath(disk.Path)
		if m == "" {
			continue
		}
		if p == m || m == "/" || strings.HasPrefix(p, m+"/") {
			if !found || len(m) > len(cleanPath(best.Path)) {
				best, found = disk, true
			}
		}
	}
	return best, found
}

func indexerMetrics(d *descs, s *sink, idx []prowlarrIndexer) {
	type key struct {
		protocol string
		enabled  bool
	}
	counts := map[key]int{}
	for _, i := range idx {
		counts[key{snake(i.Protocol), i.Enable}]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return strings.Compare(a.protocol+strconv.FormatBool(a.enabled), b.protocol+strconv.FormatBool(b.enabled))
	})
	for _, k := range keys {
		s.gauge(d.indexers, float64(counts[k]), k.protocol, strconv.FormatBool(k.enabled))
	}
}
