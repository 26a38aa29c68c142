#include "h5dig/h5/copy.hpp"

#include "h5/hdf5.hpp"

#include "h5dig/h5/read_support.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

namespace {

struct IterState {
  std::vector<GroupLink>* out;
  std::string error;
};

herr_t visit_link(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  util::heartbeat();
  auto* st = static_cast<IterState*>(data);
  GroupLink e;
  e.name = name;
  e.link_type = ours(info->type);
  if (info->type == H5L_TYPE_HARD) {
    H5O_info_t oinfo{};
    if (H5Oget_info_by_name2(group, name, &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      st->error = fmt::format("H5Oget_info_by_name({}) failed: {}", name, error_stack_message());
      return -1;
    }
    e.object_type = ours(oinfo.type);
    e.address = oinfo.addr;
  } else if (info->type == H5L_TYPE_SOFT || info->type == H5L_TYPE_EXTERNAL) {
    std::vector<char> buf(info->u.val_size + 1, '\0');
    if (H5Lget_val(group, name, buf.data(), buf.size(), H5P_DEFAULT) < 0) {
      st->error = fmt::format("H5Lget_val({}) failed: {}", name, error_stack_message());
      return -1;
    }
    if (info->type == H5L_TYPE_SOFT) {
      e.soft_target = buf.data();
    } else {
      const char* file = nullptr;
      const char* obj = nullptr;
      unsigned flags = 0;
      if (H5Lunpack_elink_val(buf.data(), buf.size(), &flags, &file, &obj) < 0) {
        st->error = fmt::format("H5Lunpack_elink_val({}) failed: {}", name, error_stack_message());
        return -1;
      }
      e.external_file = file ? file : "";
      e.external_object = obj ? obj : "";
    }
  }
  st->out->push_back(std::move(e));
  return 0;
}

}  // namespace

std::vector<GroupLink> list_links(const Group& group) {
  std::vector<GroupLink> out;
  IterState st{&out, {}};
  // Creation order when the group tracks it (h5ls does the same), else by name.
  H5_index_t index = H5_INDEX_NAME;
  {
    hid_t gcpl = H5Gget_create_plist(group.id());
    unsigned flags = 0;
    if (gcpl >= 0 && H5Pget_link_creation_order(gcpl, &flags) >= 0 && (flags & H5P_CRT_ORDER_INDEXED)) {
      index = H5_INDEX_CRT_ORDER;
    }
    if (gcpl >= 0) H5Pclose(gcpl);
  }
  hsize_t idx = 0;
  herr_t rc = H5Literate(group.id(), index, H5_ITER_INC, &idx, visit_link, &st);
  if (rc < 0) {
    if (!st.error.empty()) throw Error(ErrorKind::io, st.error);
    check(rc, "H5Literate");
  }
  return out;
}

void copy_attributes(const Location& src, const Location& dst) {
  std::size_t n = src.attribute_count();
  for (std::size_t i = 0; i < n; ++i) {
    Attribute a = src.open_attribute(i);
    Datatype type = a.type();  // memory-located copy of the stored type
    Dataspace space = a.space();
    std::string name = a.name();
    std::uint64_t count = space.element_count();
    std::vector<std::byte> buf(std::max<std::size_t>(1, count * type.size()));
    a.read(type.id(), buf.data());
    PropList acpl = PropList::create(H5P_ATTRIBUTE_CREATE);
    hid_t id = H5Acreate2(dst.id(), name.c_str(), type.id(), space.id(), acpl.id(), H5P_DEFAULT);
    if (id < 0) {
      H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, buf.data());
      throw Error(ErrorKind::io, fmt::format("cannot copy attribute {}: {}", name, error_stack_message()));
    }
    Attribute out(id);
    herr_t rc = H5Awrite(out.id(), type.id(), buf.data());
    H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, buf.data());
    check(rc, fmt::format("H5Awrite({})", name));
  }
}

void copy_object(const Group& src, const std::string& src_name, const Group& dst, const std::string& dst_name) {
  check(H5Ocopy(src.id(), src_name.c_str(), dst.id(), dst_name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        fmt::format("H5Ocopy({})", src_name));
}

Group create_group_like(const Group& src_group, const Group& parent, const std::string& name) {
  PropList gcpl(check_id(H5Gget_create_plist(src_group.id()), "H5Gget_create_plist"));
  return Group(check_id(H5Gcreate2(parent.id(), name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT),
                        fmt::format("H5Gcreate2({})", name)));
}

void create_hard_link(const Group& target_base, const std::string& target_path, const Group& parent,
                      const std::string& name) {
  check(H5Lcreate_hard(target_base.id(), target_path.c_str(), parent.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        fmt::format("H5Lcreate_hard({})", name));
}

void create_soft_link(const std::string& target, const Group& parent, const std::string& name) {
  check(H5Lcreate_soft(target.c_str(), parent.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        fmt::format("H5Lcreate_soft({})", name));
}

void create_external_link(const std::string& file, const std::string& object, const Group& parent,
                          const std::string& name) {
  check(H5Lcreate_external(file.c_str(), object.c_str(), parent.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        fmt::format("H5Lcreate_external({})", name));
}

bool is_fixed_size_type(const Datatype& type) {
  // The whole type tree: H5Tdetect_class does not see a variable-length
  // string that is an array's base or a compound member.
  return describe_stored_type(type).fixed_size;
}

}  // namespace h5dig::h5
