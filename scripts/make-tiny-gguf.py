#!/usr/bin/env python3
"""Writes a tiny Llama-architecture GGUF with random weights and Llama 3's real tokenizer.

A build step for the real-engine tests (not part of the product): the model loads in llama-server and
generates gibberish at a real model's pace. Shape: 4 layers, hidden 512, 8 heads, 2 KV heads, FFN 1536,
vocab 128,256 (tied embeddings), 2-D weights in Q8_0, norms in F32.

usage: make-tiny-gguf.py LLAMA_CPP_SOURCE_DIR OUTPUT.gguf
"""
import os
import sys

src, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "gguf-py"))
import numpy as np  # noqa: E402
import gguf  # noqa: E402
from gguf import GGMLQuantizationType as Q  # noqa: E402

N_LAYER, N_EMBD, N_HEAD, N_HEAD_KV, N_FF, N_CTX = 4, 512, 8, 2, 1536, 8192
HEAD_DIM = N_EMBD // N_HEAD

vocab = gguf.GGUFReader(os.path.join(src, "models", "ggml-vocab-llama-bpe.gguf"))


def field(name):
    f = vocab.fields[name]
    return f.contents()


tokens = field("tokenizer.ggml.tokens")
n_vocab = len(tokens)
rng = np.random.default_rng(20261201)

w = gguf.GGUFWriter(out + ".tmp", "llama")
w.add_name("inferencebench tiny random llama")
w.add_context_length(N_CTX)
w.add_embedding_length(N_EMBD)
w.add_block_count(N_LAYER)
w.add_feed_forward_length(N_FF)
w.add_head_count(N_HEAD)
w.add_head_count_kv(N_HEAD_KV)
w.add_rope_dimension_count(HEAD_DIM)
w.add_rope_freq_base(500000.0)
w.add_layer_norm_rms_eps(1e-5)
w.add_vocab_size(n_vocab)
w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
w.add_tokenizer_model(field("tokenizer.ggml.model"))
w.add_tokenizer_pre(field("tokenizer.ggml.pre"))
w.add_token_list(tokens)
w.add_token_types(field("tokenizer.ggml.token_type"))
w.add_token_merges(field("tokenizer.ggml.merges"))
w.add_bos_token_id(field("tokenizer.ggml.bos_token_id"))
w.add_eos_token_id(field("tokenizer.ggml.eos_token_id"))
with open(os.path.join(src, "models", "templates", "meta-llama-Llama-3.1-8B-Instruct.jinja")) as t:
    w.add_chat_template(t.read())


def matrix(name, rows, cols):
    data = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float32)
    w.add_tensor(name, gguf.quantize(data, Q.Q8_0), raw_dtype=Q.Q8_0)


def norm(name):
    w.add_tensor(name, np.ones(N_EMBD, dtype=np.float32))


matrix("token_embd.weight", n_vocab, N_EMBD)
norm("output_norm.weight")
for i in range(N_LAYER):
    norm(f"blk.{i}.attn_norm.weight")
    matrix(f"blk.{i}.attn_q.weight", N_EMBD, N_EMBD)
    matrix(f"blk.{i}.attn_k.weight", N_HEAD_KV * HEAD_DIM, N_EMBD)
    matrix(f"blk.{i}.attn_v.weight", N_HEAD_KV * HEAD_DIM, N_EMBD)
    matrix(f"blk.{i}.attn_output.weight", N_EMBD, N_EMBD)
    norm(f"blk.{i}.ffn_norm.weight")
    matrix(f"blk.{i}.ffn_gate.weight", N_FF, N_EMBD)
    matrix(f"blk.{i}.ffn_up.weight", N_FF, N_EMBD)
    matrix(f"blk.{i}.ffn_down.weight", N_EMBD, N_FF)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
os.replace(out + ".tmp", out)
