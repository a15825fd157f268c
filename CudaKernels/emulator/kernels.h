// Every kernel file compiled as C++ for the host emulation (emu.h first), each in its own namespace so the files'
// private helpers (warp_sum, ...) do not collide. Shared by kernel_checks.cpp and fakecuda/fakecuda.cpp.
#pragma once
#include "emu.h"
namespace k_embedding {
#include "embedding.cu"
}
namespace k_rmsnorm {
#include "rmsnorm.cu"
}
namespace k_elementwise {
#include "elementwise.cu"
}
namespace k_activation {
#include "activation.cu"
}
namespace k_rotary {
#include "rotary.cu"
}
namespace k_kv {
#include "kv_cache.cu"
}
namespace k_convert {
#include "convert.cu"
}
namespace k_quant {
#include "quant.cu"
}
namespace k_logits {
#include "logits.cu"
}
namespace k_sampling {
#include "sampling.cu"
}
namespace k_attention {
#include "attention.cu"
}
namespace k_random {
#include "random.cu"
}
