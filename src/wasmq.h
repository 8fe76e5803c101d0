// wasmq's public C++ API: quantizers, observers and metrics (kernels live under kernels/).
#pragma once

#include "common/error.h"
#include "quant/fp16.h"
#include "quant/metrics.h"
#include "quant/observers.h"
#include "quant/qparams.h"
#include "quant/quantize.h"
#include "quant/types.h"
