"""The peer for the GPU benchmark: Hugging Face transformers (PyTorch) generating on the same
Llama-3-8B shape with random BF16 weights, greedy, at batch 64 (and 1), decode tokens/s.
Run on the GPU machine by scripts/gpu-check.sh; writes one JSON object."""
import argparse, json, time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("--out", default="peer.json")
parser.add_argument("--prompt", type=int, default=128)
parser.add_argument("--new", type=int, default=64)
args = parser.parse_args()

config = LlamaConfig(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                     num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0)
torch.manual_seed(1)
torch.set_default_dtype(torch.bfloat16)  # build in BF16 directly: no 32 GB F32 copy first
with torch.device("cuda"):
    model = LlamaForCausalLM(config).to(torch.bfloat16).eval()

results = {"peer": f"transformers {__import__('transformers').__version__}, torch {torch.__version__}",
           "device": torch.cuda.get_device_name(0)}


def decode_rate(batch):
    ids = torch.randint(0, config.vocab_size, (batch, args.prompt), device="cuda")
    kwargs = dict(do_sample=False, min_new_tokens=args.new, max_new_tokens=args.new, pad_token_id=0)
    with torch.no_grad():
        model.generate(ids, **dict(kwargs, min_new_tokens=2, max_new_tokens=2))
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        model.generate(ids, **dict(kwargs, min_new_tokens=1, max_new_tokens=1))
        torch.cuda.synchronize()
        prefill = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.generate(ids, **kwargs)
        torch.cuda.synchronize()
        total = time.perf_counter() - t0
    # Decode alone: the whole generation less its prefill (which produced the first token).
    return batch * (args.new - 1) / max(total - prefill, 1e-9)


for batch in (1, 64):
    rate = decode_rate(batch)
    results[f"decode.b{batch}.tokens_per_second"] = rate
    print(f"transformers decode b{batch}: {rate:.1f} tok/s", flush=True)

with open(args.out, "w") as f:
    json.dump(results, f, indent=2)
