package volumes

import "github.com/ctr-lite/ctr-lite/lifecycle"

// Engine is the engine with this package's commands.
type Engine struct{ *lifecycle.Engine }

// Of gives e this package's commands.
func Of(e *lifecycle.Engine) *Engine { return &Engine{e} }
