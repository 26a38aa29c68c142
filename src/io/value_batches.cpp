#include "h5dig/io/value_batches.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "h5dig/error.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/io/slabs.hpp"

namespace h5dig::io {

namespace {

using h5::TypeDesc;

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::vector<Selection> value_batches(const Selection& sel, std::size_t mem_size) {
  std::vector<Selection> batches;
  if (sel.rank() == 0) {
    batches.push_back(Selection{});
    return batches;
  }
  // for_each_slab walks the selection's own index space (sel.count); each slab
  // maps back to the dataset through start + index * step.
  for_each_slab(sel.count, std::max<std::size_t>(16, mem_size), {},
                [&](const std::vector<std::uint64_t>& s, const std::vector<std::uint64_t>& c) {
                  Selection b;
                  b.start = s;
                  for (std::size_t d = 0; d < b.start.size(); ++d) b.start[d] = sel.start[d] + s[d] * sel.step_of(d);
                  b.count = c;
                  if (sel.has_steps()) b.step = sel.step;
                  batches.push_back(std::move(b));
                },
                kValueBatchBytes);
  return batches;
}

h5::ValueBuffer read_value_batch(const h5::Dataset& ds, const Selection& batch, const std::string& where) {
  try {
    return h5::read_dataset_values(ds.id(), batch.start, batch.count, batch.step);
  } catch (const Error& e) {
    throw e.with_context(where);
  }
}

bool flattens_to_values(const TypeDesc& t) {
  if (t.kind == TypeDesc::Kind::string) return t.variable;
  return t.kind == TypeDesc::Kind::vlen && t.super.size() == 1 && !h5::holds_variable_length(t.super[0]) &&
         !h5::contains_kind(t.super[0], TypeDesc::Kind::reference) &&
         !h5::contains_kind(t.super[0], TypeDesc::Kind::time);
}

void append_flat_values(FlatValues& out, const h5::ValueBuffer& batch, const std::string& where) {
  const TypeDesc& t = batch.mem_type;
  if (!flattens_to_values(t)) {
    throw_unsupported(fmt::format("{}: variable-length data inside a {} element cannot be read as values here",
                                  where, t.kind == TypeDesc::Kind::vlen ? "sequence" : "compound or array"));
  }
  const std::size_t es = t.size;
  std::uint64_t total = out.ends.empty() ? 0 : out.ends.back();
  out.ends.reserve(out.ends.size() + batch.count);
  if (t.kind == TypeDesc::Kind::string) {
    out.strings = true;
    for (std::uint64_t i = 0; i < batch.count; ++i) {
      const auto* s = load<const char*>(batch.bytes.data() + i * es);
      if (s) {
        const std::size_t n = std::strlen(s);
        const auto* b = reinterpret_cast<const std::byte*>(s);
        out.data.insert(out.data.end(), b, b + n);
        total += n;
      }
      out.ends.push_back(total);
    }
    return;
  }
  // A sequence in memory: its length (size_t), then a pointer to its elements.
  out.base = t.super[0];
  const std::size_t base = t.super[0].size;
  for (std::uint64_t i = 0; i < batch.count; ++i) {
    const std::byte* p = batch.bytes.data() + i * es;
    const auto len = load<std::size_t>(p);
    const auto* data = load<const std::byte*>(p + sizeof(std::size_t));
    if (data && len) {
      out.data.insert(out.data.end(), data, data + len * base);
      total += len * base;
    }
    out.ends.push_back(total);
  }
}

}  // namespace h5dig::io
