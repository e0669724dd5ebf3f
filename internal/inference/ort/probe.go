//go:build cgo

package ort

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

// The start of OrtApiBase (onnxruntime_c_api.h), stable across versions.
typedef struct {
	const void *(*GetApi)(uint32_t version);
	const char *(*GetVersionString)(void);
} probeApiBase;

typedef const probeApiBase *(*probeGetApiBase)(void);

// probeVersion calls OrtGetApiBase at sym: it returns the library's version
// string and sets *ok when the library provides C API version api.
static const char *probeVersion(void *sym, uint32_t api, int *ok) {
	const probeApiBase *base = ((probeGetApiBase)sym)();
	*ok = 0;
	if (base == NULL) return NULL;
	*ok = base->GetApi(api) != NULL;
	return base->GetVersionString();
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// apiVersion is the ONNX Runtime C API version that onnxruntime_go (v1.27)
// asks for (ORT_API_VERSION in its onnxruntime_c_api.h): a library that
// does not provide it cannot start.
const apiVersion = 24

// Probe finds and loads the ONNX Runtime library as New would and returns
// its path and version (as Runtime.Version words it) without creating the
// ONNX Runtime environment, which costs tens of milliseconds more. Errors
// wrap backend.ErrUnavailable. When a Runtime is live, its library is
// reported.
func Probe(opts Options) (lib, version string, err error) {
	lib, err = libraryPath(opts)
	if err != nil {
		return "", "", err
	}
	if v, ok := environment.live(lib); ok {
		return lib, versionString(v), nil
	}
	v, err := probeLibrary(lib)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", backend.ErrUnavailable, err)
	}
	return lib, versionString(v), nil
}

func probeLibrary(lib string) (string, error) {
	cLib := C.CString(lib)
	defer C.free(unsafe.Pointer(cLib))
	h := C.dlopen(cLib, C.RTLD_LAZY|C.RTLD_LOCAL)
	if h == nil {
		return "", fmt.Errorf("load %s: %s", lib, C.GoString(C.dlerror()))
	}
	defer C.dlclose(h)
	cSym := C.CString("OrtGetApiBase")
	defer C.free(unsafe.Pointer(cSym))
	sym := C.dlsym(h, cSym)
	if sym == nil {
		return "", fmt.Errorf("load %s: no OrtGetApiBase: %s", lib, C.GoString(C.dlerror()))
	}
	var ok C.int
	v := C.GoString(C.probeVersion(sym, apiVersion, &ok))
	if ok == 0 {
		return "", fmt.Errorf("load %s: onnx runtime %s does not provide C API version %d", lib, v, apiVersion)
	}
	return v, nil
}
