package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
)

// App is an exporter's command line: a private kingpin application (nothing is registered in
// kingpin's global CommandLine) whose every flag falls back to an environment variable, so NixOS
// modules may configure through either.
type App struct {
	app       *kingpin.Application
	short     string
	envPrefix string
	listen    *[]string
	webConfig *string
	logConfig *promslog.Config
	logger    *slog.Logger
}

// NewApp creates the command line of binary (e.g. "hub-nixos-exporter") with the standard
// --web.listen-address (default defaultListen), --web.config.file, --log.level and --log.format.
func NewApp(binary, help, defaultListen string) *App {
	short := strings.TrimSuffix(strings.TrimPrefix(binary, "hub-"), "-exporter")
	a := &App{
		app:       kingpin.New(binary, help),
		short:     short,
		envPrefix: "HUB_" + envWord(short),
		logConfig: &promslog.Config{},
	}
	a.app.Version(version.Print(binary))
	a.app.HelpFlag.Short('h')
	a.listen = a.Flag("web.listen-address", "Addresses to listen on for metrics and the landing page.").
		Default(defaultListen).Strings()
	a.webConfig = a.Flag("web.config.file", "exporter-toolkit web configuration file for TLS and basic auth.").
		Default("").String()
	promslogflag.AddFlags(a.app, a.logConfig)
	for _, name := range []string{promslogflag.LevelFlagName, promslogflag.FormatFlagName} {
		if f := a.app.GetFlag(name); f != nil {
			f.Envar(a.envName(name))
		}
	}
	return a
}

// Flag declares a flag whose environment fallback is EnvName(name).
func (a *App) Flag(name, help string) *kingpin.FlagClause {
	env := a.envName(name)
	return a.app.Flag(name, help).Envar(env)
}

// envName maps a flag to its environment variable: the exporter's own namespace is not repeated,
// so for hub-nixos-exporter "nixos.root" is HUB_NIXOS_ROOT and "web.listen-address" is
// HUB_NIXOS_WEB_LISTEN_ADDRESS.
func (a *App) envName(flag string) string {
	flag = strings.TrimPrefix(flag, a.short+".")
	return a.envPrefix + "_" + envWord(flag)
}

func envWord(s string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(s))
}

// Parse parses args (without the program name) and sets up the logger.
func (a *App) Parse(args []string) error {
	if _, err := a.app.Parse(args); err != nil {
		return fmt.Errorf("parse flags: %w", err)
	}
	a.logger = promslog.New(a.logConfig)
	return nil
}

// Logger is the slog logger configured by --log.level and --log.format; valid after Parse.
func (a *App) Logger() *slog.Logger {
	if a.logger == nil {
		return promslog.New(a.logConfig)
	}
	return a.logger
}

// Web is the exporter-toolkit listener configuration from the flags.
func (a *App) Web() *web.FlagConfig {
	systemdSocket := false
	return &web.FlagConfig{WebListenAddresses: a.listen, WebSystemdSocket: &systemdSocket, WebConfigFile: a.webConfig}
}

// Mux routes /metrics to the exporter and / to exporter-toolkit's landing page. Empty landing
// fields are filled from the exporter (name, version, a link to /metrics).
func (e *Exporter) Mux(landing web.LandingConfig) (*http.ServeMux, error) {
	if landing.Name == "" {
		landing.Name = e.opts.Program
	}
	if landing.Version == "" {
		landing.Version = version.Info()
	}
	if len(landing.Links) == 0 {
		landing.Links = []web.LandingLinks{{Address: "/metrics", Text: "Metrics"}}
	}
	page, err := web.NewLandingPage(landing)
	if err != nil {
		return nil, fmt.Errorf("landing page: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", e.Handler())
	mux.Handle("/", page)
	return mux, nil
}

// Serve runs handler on the configured listeners, with TLS and basic auth if the web config file
// asks for them, until ctx is done; then it shuts down gracefully.
func Serve(ctx context.Context, flags *web.FlagConfig, handler http.Handler, logger *slog.Logger) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, flags, logger) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
