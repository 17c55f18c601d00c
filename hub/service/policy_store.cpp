#include "hub/service/policy_store.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "transports/tls/certificates.hpp"

namespace fleetsim::hub::service {
namespace {

constexpr Permission kPermissions[] = {Permission::registry_read, Permission::registry_write,
                                       Permission::service_connect, Permission::device_connect};

std::string rights_text(std::uint8_t permissions) {
  std::string text;
  for (const Permission p : kPermissions) {
    if ((permissions & bits(p)) == 0) continue;
    if (!text.empty()) text.append(", ");
    text.append(to_string(p));
  }
  return text;
}

// "RegistryRead, ServiceConnect" -> bits; throws on an unknown right or none.
std::uint8_t parse_rights(std::string_view text) {
  std::uint8_t permissions = 0;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view word = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    bool known = false;
    for (const Permission p : kPermissions) {
      if (to_string(p) == word) {
        permissions |= bits(p);
        known = true;
      }
    }
    if (!known) throw std::runtime_error("unknown right '" + std::string(word) + "'");
  }
  if (permissions == 0) throw std::runtime_error("a policy without rights");
  return permissions;
}

std::string string_member(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    throw std::runtime_error("a policy without the string '" + std::string(name) + "'");
  }
  return std::string(value->as_string());
}

}  // namespace

std::string policies_json(const Policies& policies) {
  boost::json::array list;
  for (const Policy& policy : policies.all()) {
    list.push_back(boost::json::object{{"keyName", policy.name},
                                       {"primaryKey", policy.primary_key},
                                       {"secondaryKey", policy.secondary_key},
                                       {"rights", rights_text(policy.permissions)}});
  }
  return boost::json::serialize(boost::json::object{{"policies", std::move(list)}}) + "\n";
}

Policies parse_policies_json(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(text, ec);
  if (ec) throw std::runtime_error("not JSON: " + ec.message());
  const boost::json::value* list = root.is_object() ? root.as_object().if_contains("policies") : nullptr;
  if (list == nullptr || !list->is_array() || list->as_array().empty()) {
    throw std::runtime_error("expected {\"policies\": [ ... ]} with at least one policy");
  }
  Policies policies;
  for (const boost::json::value& entry : list->as_array()) {
    if (!entry.is_object()) throw std::runtime_error("a policy that is not an object");
    const boost::json::object& object = entry.as_object();
    Policy policy{string_member(object, "keyName"), string_member(object, "primaryKey"),
                  string_member(object, "secondaryKey"), parse_rights(string_member(object, "rights"))};
    const std::string name = policy.name;
    if (!policies.add(std::move(policy))) {
      throw std::runtime_error("policy '" + name +
                               "' is a duplicate, has a key that is not base64, or passes the 16 allowed");
    }
  }
  return policies;
}

Policies load_or_store_policies(const std::string& path, Policies generated) {
  std::error_code exists_ec;
  if (std::filesystem::exists(path, exists_ec)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    try {
      return parse_policies_json(text.str());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
  }
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  try {
    if (!folder.empty()) std::filesystem::create_directories(folder);
    tls::write_file_atomic(path, policies_json(generated), /*secret=*/true);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot keep the shared access policy keys: ") + e.what());
  }
  return generated;
}

}  // namespace fleetsim::hub::service
