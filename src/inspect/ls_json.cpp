// `h5dig ls --json`: the listing as one JSON document. Schema: docs/ls-json.md.
#include "ls_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <limits>

#include "h5dig/error.hpp"
#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/value_json.hpp"
#include "h5dig/object_path.hpp"
#include "render.hpp"
#include "slabs.hpp"

namespace h5dig::inspect {

using json = nlohmann::ordered_json;
using h5::TypeDesc;

namespace {

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

const char* kind_name(TypeDesc::Kind k) {
  switch (k) {
    case TypeDesc::Kind::integer: return "integer";
    case TypeDesc::Kind::floating: return "float";
    case TypeDesc::Kind::time: return "time";
    case TypeDesc::Kind::string: return "string";
    case TypeDesc::Kind::bitfield: return "bitfield";
    case TypeDesc::Kind::opaque: return "opaque";
    case TypeDesc::Kind::compound: return "compound";
    case TypeDesc::Kind::reference: return "reference";
    case TypeDesc::Kind::enumeration: return "enum";
    case TypeDesc::Kind::vlen: return "vlen";
    case TypeDesc::Kind::array: return "array";
    default: return "unknown";
  }
}

json type_json(const TypeDesc& t) {
  json j;
  j["class"] = kind_name(t.kind);
  j["size"] = t.size;
  std::string text;
  detail::append_type(text, t, 0, false);
  j["text"] = text;
  if (t.kind == TypeDesc::Kind::integer || t.kind == TypeDesc::Kind::floating || t.kind == TypeDesc::Kind::bitfield) {
    j["order"] = t.order == h5::ByteOrder::little ? "little" : t.order == h5::ByteOrder::big ? "big" : "other";
  }
  if (t.kind == TypeDesc::Kind::integer) j["signed"] = t.sign == h5::Sign::twos_complement;
  if (t.kind == TypeDesc::Kind::string) {
    j["variable"] = t.variable;
    j["padding"] = t.strpad == 0 ? "nullterm" : t.strpad == 1 ? "nullpad" : t.strpad == 2 ? "spacepad" : "unknown";
    j["charset"] = t.cset == 0 ? "ascii" : t.cset == 1 ? "utf-8" : "unknown";
  }
  if (t.kind == TypeDesc::Kind::compound) {
    json m = json::array();
    for (const auto& mem : t.members) m.push_back({{"name", mem.name}, {"offset", mem.offset}, {"type", type_json(mem.type)}});
    j["members"] = m;
  }
  if (t.kind == TypeDesc::Kind::enumeration) {
    json m = json::object();
    for (std::size_t i = 0; i < t.enum_names.size(); ++i) m[t.enum_names[i]] = t.enum_values[i];
    j["values"] = m;
  }
  if (t.kind == TypeDesc::Kind::array) j["dims"] = t.dims;
  if (!t.super.empty()) j["base"] = type_json(t.super[0]);
  if (t.kind == TypeDesc::Kind::opaque && t.tag) j["tag"] = *t.tag;
  if (t.kind == TypeDesc::Kind::reference) j["reference"] = t.ref_kind == TypeDesc::RefKind::object   ? "object"
                        : t.ref_kind == TypeDesc::RefKind::region ? "region"
                                                                  : "other";
  if (t.committed) j["committed_address"] = t.committed_addr;
  return j;
}

json space_json(const h5::SpaceDesc& s, json& j) {
  j["space"] = s.kind == h5::SpaceDesc::Kind::scalar   ? "scalar"
              : s.kind == h5::SpaceDesc::Kind::simple ? "simple"
              : s.kind == h5::SpaceDesc::Kind::null   ? "null"
                                                   : "unknown";
  if (s.kind == h5::SpaceDesc::Kind::simple) {
    j["shape"] = s.dims;
    json m = json::array();
    for (auto v : s.maxdims) m.push_back(v == kUnlimited ? json(nullptr) : json(v));
    j["maxshape"] = m;
  }
  return j;
}

const char* layout_name(h5::Layout layout) {
  switch (layout) {
    case h5::Layout::compact: return "compact";
    case h5::Layout::contiguous: return "contiguous";
    case h5::Layout::chunked: return "chunked";
    case h5::Layout::virtual_: return "virtual";
    default: return "unknown";
  }
}

// With -d: the values, as `read -o X.json` writes them (h5/value_json.hpp),
// from the reader and memory layout `ls -d` uses (h5::read_*_values): nested
// lists along `dims` (a scalar: the value). null where there are no values to
// give: the time class (no memory type), references, data HDF5 cannot read.
json nest(const std::vector<json>& flat, const std::vector<std::uint64_t>& dims, std::size_t d, std::size_t& at) {
  json list = json::array();
  for (std::uint64_t i = 0; i < dims[d]; ++i) {
    if (d + 1 < dims.size()) list.push_back(nest(flat, dims, d + 1, at));
    else list.push_back(flat[at++]);
  }
  return list;
}

void values_of(const h5::ValueBuffer& vb, std::vector<json>& flat) {
  std::string text;
  for (std::uint64_t i = 0; i < vb.count; ++i) {
    text.clear();
    h5::append_json_value(text, vb.mem_type, vb.bytes.data() + i * vb.mem_type.size);
    // What strict JSON cannot hold (infinities, text that is not UTF-8, which
    // `read -o X.json` writes as Python's json does) is null here.
    json v = json::parse(text, nullptr, false);
    flat.push_back(v.is_discarded() ? json(nullptr) : std::move(v));
  }
}

bool has_values(const TypeDesc& t, const h5::SpaceDesc& space) {
  return space.kind == h5::SpaceDesc::Kind::scalar || space.kind == h5::SpaceDesc::Kind::simple
             ? !h5::contains_kind(t, TypeDesc::Kind::time) && !h5::contains_kind(t, TypeDesc::Kind::reference)
             : false;
}

json shaped(const std::vector<json>& flat, const h5::SpaceDesc& space) {
  if (space.kind == h5::SpaceDesc::Kind::scalar) return flat.empty() ? json(nullptr) : flat[0];
  std::size_t at = 0;
  return space.dims.empty() ? json::array() : nest(flat, space.dims, 0, at);
}

json dataset_values(h5::Id dset, const h5::DatasetDesc& d) {
  if (d.space.kind == h5::SpaceDesc::Kind::null) return json::array();
  if (!has_values(d.type, d.space)) return nullptr;
  std::vector<json> flat;
  try {
    for_each_slab(d.space.kind == h5::SpaceDesc::Kind::scalar ? std::vector<std::uint64_t>{} : d.space.dims, d.type.size, d.chunk,
                  [&](const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count) {
                    values_of(h5::read_dataset_values(dset, start, count), flat);
                  });
  } catch (const Error&) {
    return nullptr;  // HDF5 cannot read it (ls -d: "Unable to print data.")
  }
  return shaped(flat, d.space);
}

json attribute_values(const h5::AttributeDesc& a) {
  if (a.space.kind == h5::SpaceDesc::Kind::null) return json::array();
  if (!has_values(a.type, a.space)) return nullptr;
  std::vector<json> flat;
  try {
    values_of(h5::read_attribute_values(a.attr), flat);
  } catch (const Error&) {
    return nullptr;
  }
  return shaped(flat, a.space);
}

struct JsonLister {
  h5::Id file;
  json& objects;
  bool data = false;  // -d: values too

  void add_link(const h5::LinkEntry& e) {
    json j;
    j["path"] = e.path;
    if (e.link_type == h5::LinkType::soft) {
      j["kind"] = "soft_link";
      j["target"] = e.soft_target;
    } else if (e.link_type == h5::LinkType::external) {
      j["kind"] = "external_link";
      j["target_file"] = e.ext_file;
      j["target"] = e.ext_path;
    } else {
      j["kind"] = "user_link";
    }
    objects.push_back(std::move(j));
  }

  void add_object(const std::string& path, const h5::ObjectInfo& info, const std::optional<std::string>& first_seen) {
    json j;
    j["path"] = path;
    using T = h5::ObjectType;
    j["kind"] = info.type == T::group ? "group" : info.type == T::dataset ? "dataset" : info.type == T::named_datatype ? "datatype" : "unknown";
    j["address"] = info.addr;
    j["links"] = info.rc;
    j["modified"] = info.mtime > 0 ? json(info.mtime) : json(nullptr);
    if (first_seen) {
      j["same_as"] = *first_seen;
      objects.push_back(std::move(j));
      return;
    }
    h5::ObjectId obj = h5::open_object(file, path);
    json attrs = json::array();
    h5::visit_attributes(obj.get(), [&](const h5::AttributeDesc& a) {
      json ja;
      ja["name"] = a.name;
      space_json(a.space, ja);
      ja["type"] = type_json(a.type);
      if (data) ja["values"] = attribute_values(a);
      attrs.push_back(std::move(ja));
    });
    j["attributes"] = attrs;
    if (info.type == h5::ObjectType::dataset) {
      h5::DatasetDesc d = h5::describe_dataset(obj.get());
      space_json(d.space, j);
      j["type"] = type_json(d.type);
      j["layout"] = layout_name(d.layout);
      if (!d.chunk.empty()) j["chunks"] = d.chunk;
      json filters = json::array();
      for (const auto& f : d.filters) {
        filters.push_back({{"id", f.id}, {"name", f.name}, {"optional", (f.flags & 1u) != 0}, {"cd_values", f.cd_values}});
      }
      j["filters"] = filters;
      bool known = d.type.kind != TypeDesc::Kind::vlen && d.type.kind != TypeDesc::Kind::reference;
      j["logical_bytes"] = known ? json(d.space.npoints * d.type.size) : json(nullptr);
      j["allocated_bytes"] = d.storage_size;
      if (!d.external.empty()) {
        json ext = json::array();
        for (const auto& e : d.external) {
          ext.push_back({{"file", e.name}, {"offset", e.offset}, {"size", e.size == kUnlimited ? json(nullptr) : json(e.size)}});
        }
        j["external"] = ext;
      }
      if (!d.virtual_maps.empty()) {
        json maps = json::array();
        for (const auto& m : d.virtual_maps) maps.push_back({{"file", m.file}, {"dataset", m.dataset}});
        j["virtual"] = maps;
      }
      if (data) j["values"] = dataset_values(obj.get(), d);
    } else if (info.type == h5::ObjectType::named_datatype) {
      j["type"] = type_json(h5::describe_type(obj.get()));
    }
    objects.push_back(std::move(j));
  }
};

}  // namespace

void list_json(const std::vector<std::string>& paths, const LsOptions& options, std::ostream& out) {
  json doc;
  doc["h5dig_ls"] = 1;
  doc["files"] = json::array();
  for (const auto& arg : paths) {
    ObjectPath op = split_object_path(arg);
    h5::File file = h5::File::open(op.file);
    json entry;
    entry["file"] = op.file;
    std::string oname = op.object.empty() ? "/" : "/" + op.object;
    while (oname.size() > 1 && oname.back() == '/') oname.pop_back();
    entry["object"] = oname;
    json objects = json::array();
    JsonLister l{file.id(), objects, options.data};
    if (oname != "/") {
      auto link = h5::link_info(file.id(), oname);
      if (!link) throw Error(ErrorKind::io, fmt::format("{}: {}: no such object", op.file, op.object));
      if (link->link_type != h5::LinkType::hard) {
        l.add_link(*link);
        entry["objects"] = objects;
        doc["files"].push_back(std::move(entry));
        continue;
      }
    }
    auto info = h5::object_info(file.id(), oname);
    if (!info) throw Error(ErrorKind::io, fmt::format("{}: {}: no such object", op.file, op.object));
    l.add_object(oname, *info, std::nullopt);
    if (info->type == h5::ObjectType::group) {
      h5::visit_links(file.id(), oname, options.recursive, [&](const h5::LinkEntry& e) {
        if (e.link_type == h5::LinkType::hard) l.add_object(e.path, e.info, e.first_seen);
        else l.add_link(e);
      });
    }
    entry["objects"] = objects;
    doc["files"].push_back(std::move(entry));
  }
  out << doc.dump(2) << "\n";
}

}  // namespace h5dig::inspect
