#include "entities.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <span>

#include "api_error.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/inspect/json_values.hpp"

namespace h5dig::serve {

using json = nlohmann::ordered_json;
using h5::TypeDesc;

namespace {

constexpr int kMaxSoftLinkDepth = 16;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  for (std::size_t pos = 0; pos <= path.size();) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    pos = slash + 1;
  }
  return parts;
}

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

// Follows `parts` from the hard path `start` one link at a time: hard links,
// and soft links by their target text (recursively); never an external or
// user-defined link. The hard path reached, or nullopt.
std::optional<std::string> walk(h5::Id file, std::string current, std::span<const std::string> parts, int depth) {
  if (depth > kMaxSoftLinkDepth) return std::nullopt;
  for (const std::string& part : parts) {
    const std::string full = join(current, part);
    auto link = h5::link_info(file, full);
    if (!link) return std::nullopt;
    if (link->link_type == h5::LinkType::hard) {
      current = full;
    } else if (link->link_type == h5::LinkType::soft) {
      const std::string& target = link->soft_target;
      const std::vector<std::string> tparts = split_path(target);
      auto reached = walk(file, !target.empty() && target.front() == '/' ? "/" : current, tparts, depth + 1);
      if (!reached) return std::nullopt;
      current = *reached;
    } else {
      return std::nullopt;
    }
  }
  return current;
}

Entity::Kind object_kind(h5::Id file, const std::string& hard_path) {
  auto info = h5::object_info(file, hard_path);
  if (!info) return Entity::Kind::other;
  switch (info->type) {
    case h5::ObjectType::group: return Entity::Kind::group;
    case h5::ObjectType::dataset: return Entity::Kind::dataset;
    case h5::ObjectType::named_datatype: return Entity::Kind::datatype;
    default: return Entity::Kind::other;
  }
}

// The entity a link named `name` in the group at hard path `parent` stands
// for; `link` is its h5::link_info.
Entity entity_of_link(h5::Id file, const std::string& parent, const std::string& name, const h5::LinkEntry& link,
                      ResolveLinks links) {
  Entity e;
  e.name = name;
  if (link.link_type == h5::LinkType::hard) {
    e.object_path = join(parent, name);
    e.kind = object_kind(file, e.object_path);
  } else if (link.link_type == h5::LinkType::soft) {
    e.kind = Entity::Kind::soft_link;
    e.target_path = link.soft_target;
    if (links != ResolveLinks::none) {
      const std::vector<std::string> tparts = split_path(link.soft_target);
      auto reached = walk(file, !link.soft_target.empty() && link.soft_target.front() == '/' ? "/" : parent, tparts, 1);
      if (reached) {
        e.object_path = *reached;
        e.kind = object_kind(file, *reached);
      }
    }
  } else if (link.link_type == h5::LinkType::external) {
    e.kind = Entity::Kind::external_link;
    e.target_file = link.ext_file;
    e.target_path = link.ext_path;
  }
  return e;
}

std::string kind_name(Entity::Kind k) {
  switch (k) {
    case Entity::Kind::group: return "group";
    case Entity::Kind::dataset: return "dataset";
    case Entity::Kind::datatype: return "datatype";
    case Entity::Kind::soft_link: return "soft_link";
    case Entity::Kind::external_link: return "external_link";
    default: return "other";
  }
}

json dtype_json(const TypeDesc& t) {
  if (t.kind == TypeDesc::Kind::compound && !is_complex(t)) {
    json fields = json::object();
    for (const auto& m : t.members) fields[m.name] = dtype_json(m.type);
    return fields;
  }
  return h5py_dtype_str(t);
}

// An enum member's value as a JSON integer (hex text for values wider than 64 bits).
json enum_value(const std::string& text) {
  std::int64_t s = 0;
  if (auto r = std::from_chars(text.data(), text.data() + text.size(), s); r.ec == std::errc() && r.ptr == text.data() + text.size()) {
    return s;
  }
  std::uint64_t u = 0;
  if (auto r = std::from_chars(text.data(), text.data() + text.size(), u); r.ec == std::errc() && r.ptr == text.data() + text.size()) {
    return u;
  }
  return text;
}

json type_json(const TypeDesc& t) {
  json j;
  j["class"] = t.raw_class;
  j["dtype"] = dtype_json(t);
  j["size"] = t.size;
  switch (t.kind) {
    case TypeDesc::Kind::integer:
      j["order"] = t.order;
      j["sign"] = t.sign;
      break;
    case TypeDesc::Kind::floating:
    case TypeDesc::Kind::bitfield:
      j["order"] = t.order;
      break;
    case TypeDesc::Kind::string:
      j["cset"] = t.cset;
      j["strpad"] = t.strpad;
      j["vlen"] = t.variable;
      break;
    case TypeDesc::Kind::opaque:
      j["tag"] = t.tag.value_or("");
      break;
    case TypeDesc::Kind::compound: {
      json members = json::array();
      for (const auto& m : t.members) {
        json jm;
        jm["name"] = m.name;
        json member_type = type_json(m.type);
        for (auto& [k, v] : member_type.items()) jm[k] = v;
        members.push_back(std::move(jm));
      }
      j["members"] = std::move(members);
      break;
    }
    case TypeDesc::Kind::enumeration: {
      json members = json::object();
      for (std::size_t i = 0; i < t.enum_names.size() && i < t.enum_values.size(); ++i) {
        members[t.enum_names[i]] = enum_value(t.enum_values[i]);
      }
      j["members"] = std::move(members);
      if (!t.super.empty()) j["base"] = type_json(t.super[0]);
      break;
    }
    case TypeDesc::Kind::vlen:
      if (!t.super.empty()) j["base"] = type_json(t.super[0]);
      break;
    case TypeDesc::Kind::array:
      j["dims"] = t.dims;
      if (!t.super.empty()) j["base"] = type_json(t.super[0]);
      break;
    default:
      break;
  }
  return j;
}

json shape_json(const h5::SpaceDesc& space) {
  if (space.kind == h5::SpaceDesc::Kind::null || space.kind == h5::SpaceDesc::Kind::unknown) return nullptr;  // null dataspace
  return space.dims;  // [] for a scalar
}

json attributes_metadata(h5::Id obj) {
  json attrs = json::array();
  h5::visit_attributes(obj, [&](const h5::AttributeDesc& a) {
    json ja;
    ja["name"] = a.name;
    ja["shape"] = shape_json(a.space);
    ja["type"] = type_json(a.type);
    attrs.push_back(std::move(ja));
  });
  return attrs;
}

// One entity's metadata; a group's children only when `children`.
json metadata(h5::Id file, const Entity& e, bool children) {
  json j;
  switch (e.kind) {
    case Entity::Kind::group: {
      h5::ObjectId obj = h5::open_object(file, e.object_path);
      j["attributes"] = attributes_metadata(obj.get());
      if (children) {
        json list = json::array();
        h5::visit_children_h5py_order(file, e.object_path, [&](const h5::LinkEntry& link) {
          const std::string name = link.path.substr(link.path.rfind('/') + 1);
          list.push_back(metadata(file, entity_of_link(file, e.object_path, name, link, ResolveLinks::only_valid),
                                  false));
        });
        j["children"] = std::move(list);
      }
      break;
    }
    case Entity::Kind::dataset: {
      h5::ObjectId obj = h5::open_object(file, e.object_path);
      h5::DatasetDesc d = h5::describe_dataset(obj.get());
      j["attributes"] = attributes_metadata(obj.get());
      j["chunks"] = d.chunk.empty() ? json(nullptr) : json(d.chunk);
      if (d.filters.empty()) {
        j["filters"] = nullptr;
      } else {
        json filters = json::array();
        for (const auto& f : d.filters) filters.push_back({{"id", f.id}, {"name", f.name}});
        j["filters"] = std::move(filters);
      }
      j["kind"] = "dataset";
      j["name"] = e.name;
      j["shape"] = shape_json(d.space);
      j["type"] = type_json(d.type);
      return j;
    }
    case Entity::Kind::datatype: {
      h5::ObjectId obj = h5::open_object(file, e.object_path);
      j["attributes"] = attributes_metadata(obj.get());
      j["kind"] = "datatype";
      j["name"] = e.name;
      j["type"] = type_json(h5::describe_type(obj.get()));
      return j;
    }
    case Entity::Kind::soft_link:
      j["kind"] = "soft_link";
      j["name"] = e.name;
      j["target_path"] = e.target_path;
      return j;
    case Entity::Kind::external_link:
      j["kind"] = "external_link";
      j["name"] = e.name;
      j["target_file"] = e.target_file;
      j["target_path"] = e.target_path;
      return j;
    default:
      break;
  }
  j["kind"] = kind_name(e.kind);
  j["name"] = e.name;
  return j;
}

}  // namespace

bool is_complex(const TypeDesc& t) {
  return t.kind == TypeDesc::Kind::compound && t.members.size() == 2 && t.members[0].name == "r" &&
         t.members[1].name == "i" && t.members[0].type.kind == TypeDesc::Kind::floating &&
         t.members[1].type.kind == TypeDesc::Kind::floating && t.members[0].type.size == t.members[1].type.size &&
         t.members[0].type.order == t.members[1].type.order && t.members[0].offset == 0 &&
         t.members[1].offset == t.members[0].type.size && t.size == 2 * t.members[0].type.size;
}

bool is_bool(const TypeDesc& t) {
  return t.kind == TypeDesc::Kind::enumeration && t.enum_names.size() == 2 && t.enum_names[0] == "FALSE" &&
         t.enum_names[1] == "TRUE" && t.enum_values[0] == "0" && t.enum_values[1] == "1";
}

std::string h5py_dtype_str(const TypeDesc& t) {
  // h5py's dtype from the library's one mapping; `dtype.str` is '|O' for what
  // h5py reads as objects and '|V{size}' for an array type (its dims are a
  // subshape that .str does not show).
  const h5::NumpyDtype d = h5::numpy_dtype(t);
  if (!d.fixed_size) return "|O";
  if (t.kind == TypeDesc::Kind::array) return fmt::format("|V{}", t.size);
  if (t.kind == TypeDesc::Kind::compound && !is_complex(t)) return "";  // a structured dtype: dtype_json's object
  return d.descr;
}

Entity resolve_entity(h5::Id file, const std::string& path, ResolveLinks links, const std::string& served) {
  const std::vector<std::string> parts = split_path(path);
  auto invalid = [&] { return ApiError(404, fmt::format("{} is not a valid path in {}", path, served)); };
  Entity e;
  if (parts.empty()) {
    e.kind = Entity::Kind::group;
    e.object_path = "/";
    return e;
  }
  // Every link but the last: hard or soft (followed by its text) only.
  auto parent = walk(file, "/", std::span(parts).first(parts.size() - 1), 0);
  if (!parent) throw invalid();
  auto link = h5::link_info(file, join(*parent, parts.back()));
  if (!link) throw invalid();
  e = entity_of_link(file, *parent, parts.back(), *link, links);
  if (e.kind == Entity::Kind::soft_link && links == ResolveLinks::all) {
    throw ApiError(404, fmt::format("Cannot resolve soft link {} -> {} in {}", path, e.target_path, served));
  }
  return e;
}

std::string entity_metadata(h5::Id file, const Entity& entity, const std::string& served) {
  return metadata(file, entity, true).dump();
}

std::string attribute_values(h5::Id file, const Entity& entity, const std::vector<std::string>& keys) {
  h5::ObjectId obj = h5::open_object(file, entity.object_path);
  std::string out = "{";
  std::vector<bool> found(keys.size(), false);
  bool first = true;
  h5::visit_attributes(obj.get(), [&](const h5::AttributeDesc& a) {
    if (!keys.empty()) {
      auto it = std::find(keys.begin(), keys.end(), a.name);
      if (it == keys.end()) return;
      found[static_cast<std::size_t>(it - keys.begin())] = true;
    }
    if (!first) out += ',';
    first = false;
    inspect::append_json_string(out, a.name);
    out += ':';
    if (a.space.kind != h5::SpaceDesc::Kind::scalar && a.space.kind != h5::SpaceDesc::Kind::simple) {
      out += "null";  // an empty attribute (h5py's Empty)
      return;
    }
    try {
      h5::ValueBuffer v = h5::read_attribute_values(a.attr);
      if (!inspect::has_json_form(v.mem_type) || v.bytes.empty()) {
        out += "null";
        return;
      }
      inspect::append_json_values(out, v.mem_type, v.bytes.data(), a.space.dims, a.space.kind == h5::SpaceDesc::Kind::scalar, false);
    } catch (const std::exception&) {
      out += "null";  // a value HDF5 cannot convert to memory: the others still show
    }
  });
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!found[i]) {
      throw ApiError(404, fmt::format("{} has no attribute '{}'", entity.object_path == "/" ? "/" : entity.object_path,
                                      keys[i]));
    }
  }
  out += '}';
  return out;
}

std::string link_paths(h5::Id file, const Entity& entity, const std::string& path) {
  std::string base = path.empty() ? "/" : path;
  json list = json::array();
  list.push_back(base);
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string prefix = base == "/" ? "" : base;
  const std::string& object = entity.object_path;
  const std::size_t strip = object == "/" ? 1 : object.size() + 1;
  h5::visit_links(file, object, true, [&](const h5::LinkEntry& link) {
    list.push_back(prefix + "/" + link.path.substr(std::min(strip, link.path.size())));
  });
  return list.dump();
}

}  // namespace h5dig::serve
