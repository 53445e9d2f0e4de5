package parallel

import "errors"

// Status is the outcome of one host's job. Jobs may invent their own through Warn; only
// StatusFailed, StatusCancelled and StatusNotRun count as failures.
type Status string

const (
	// StatusOK: the job returned nil.
	StatusOK Status = "ok"
	// StatusFailed: the job returned an error of its own.
	StatusFailed Status = "failed"
	// StatusSkipped: the job found nothing to do (see Skip).
	StatusSkipped Status = "skipped"
	// statusWarning is the status Warn uses when given none.
	statusWarning Status = "warning"
	// StatusCancelled: the job was running when the run was cancelled and returned an error.
	StatusCancelled Status = "cancelled"
	// StatusNotRun: the run was cancelled before the job started.
	StatusNotRun Status = "not-run"
)

// Failed reports whether the status means the host did not get its job done, which is what a
// target's exit code should reflect.
func (s Status) Failed() bool {
	return s == StatusFailed || s == StatusCancelled || s == StatusNotRun
}

// StatusError is an error a job returns to end with Status instead of StatusFailed. Err
// explains why and ends up in the report's error column.
type StatusError struct {
	Status Status
	Err    error
}

func (e *StatusError) Error() string {
	if e.Err == nil {
		return string(e.Status)
	}
	return e.Err.Error()
}

func (e *StatusError) Unwrap() error { return e.Err }

// Skip ends a job as StatusSkipped, for example a deploy that found the host already current.
func Skip(reason string) error {
	return &StatusError{Status: StatusSkipped, Err: errors.New(reason)}
}

// Warn ends a job with a custom, non-failing status such as "switched, units failed"; err says
// what went wrong. An empty status becomes statusWarning.
func Warn(status Status, err error) error {
	if status == "" {
		status = statusWarning
	}
	return &StatusError{Status: status, Err: err}
}
