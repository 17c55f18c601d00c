// The shared access policies kept in a file (hub/service/policy_store.hpp): written once with
// mode 0600, read back unchanged, malformed files refused with the file's name.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "hub/service/policy_store.hpp"

namespace fleetsim::hub::service {
namespace {

class PolicyStore : public ::testing::Test {
 protected:
  PolicyStore() {
    dir_ = std::filesystem::temp_directory_path() /
           ("fleetsim-policies-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~PolicyStore() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return (dir_ / "sub" / "policies.json").string(); }
  void write(const std::string& text) {
    std::filesystem::create_directories(dir_ / "sub");
    std::ofstream(path()) << text;
  }

  std::filesystem::path dir_;
};

TEST_F(PolicyStore, WritesOnceThenReadsBack) {
  KeyGenerator first_keys(1);
  const Policies first = load_or_store_policies(path(), Policies::defaults(first_keys));
  struct stat info {};
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  KeyGenerator other_keys(2);
  const Policies second = load_or_store_policies(path(), Policies::defaults(other_keys));
  ASSERT_EQ(second.all().size(), first.all().size());
  for (std::size_t i = 0; i < first.all().size(); ++i) {
    EXPECT_EQ(second.all()[i].name, first.all()[i].name);
    EXPECT_EQ(second.all()[i].primary_key, first.all()[i].primary_key);
    EXPECT_EQ(second.all()[i].secondary_key, first.all()[i].secondary_key);
    EXPECT_EQ(second.all()[i].permissions, first.all()[i].permissions);
  }
  EXPECT_EQ(service_connection_string("h", *second.find("iothubowner")),
            service_connection_string("h", *first.find("iothubowner")));
}

TEST_F(PolicyStore, RoundTripsEveryPermission) {
  KeyGenerator keys(3);
  const Policies policies = Policies::defaults(keys);
  const Policies parsed = parse_policies_json(policies_json(policies));
  EXPECT_EQ(parsed.find("iothubowner")->permissions, policies.find("iothubowner")->permissions);
  EXPECT_EQ(parsed.find("registryReadWrite")->permissions,
            bits(Permission::registry_read) | bits(Permission::registry_write));
  EXPECT_TRUE(parsed.find("device")->grants(Permission::device_connect));
}

TEST_F(PolicyStore, MalformedFilesAreRefusedNamingTheFile) {
  KeyGenerator keys(4);
  const char* bad[] = {
      "not json",
      R"({"policies":[]})",
      R"({"policies":[{"keyName":"a","primaryKey":"!!","secondaryKey":"!!","rights":"ServiceConnect"}]})",
      R"({"policies":[{"keyName":"a","primaryKey":"MDEy","secondaryKey":"MDEy","rights":"Everything"}]})",
      R"({"policies":[{"keyName":"a","secondaryKey":"MDEy","rights":"ServiceConnect"}]})",
  };
  for (const char* text : bad) {
    write(text);
    try {
      load_or_store_policies(path(), Policies::defaults(keys));
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path()), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace fleetsim::hub::service
