#pragma once
// Secrets at rest: the keyring.
//
// One random 256-bit master data key encrypts every secret (AES-256-GCM, see
// EncryptedSecretStore). The master key itself is stored only wrapped: AES-256-GCM under a
// key-encryption key (KEK) derived from the 16-character application password with scrypt
// (OpenSSL). The salt and the scrypt parameters are stored next to the wrapped key (table
// `keyring`, migration 0006); the password and the KEK never are. A wrong password is
// detected by the GCM tag of the wrapped key.
//
// The installer calls generate_application_password() and create_keyring() once, in the
// transaction that sets up a fresh database (after the migrations ran). omnid then starts
// with its components locked until the password is supplied (daemon/secrets/unlocker.h).

#include <array>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>

namespace og::secrets {

// The alphabet of generated application passwords: letters and digits without the look-alike
// characters (0 O 1 l I), so that an operator can read the password from the installation
// details and type it. 16 characters of 57 symbols: about 93 bits.
inline constexpr std::string_view kApplicationPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
inline constexpr std::size_t kApplicationPasswordLength = 16;

// 16 characters from kApplicationPasswordAlphabet, drawn with OpenSSL's RNG (no modulo bias).
std::string generate_application_password();

// What POST .../unlock accepts as a password: exactly 16 printable ASCII characters (the
// spec's example "18j182n2^03%m1)I" has symbols, so any printable character is allowed).
bool valid_application_password(std::string_view password);

// A 256-bit key held in memory; wiped when destroyed.
class DataKey {
 public:
  static constexpr std::size_t kSize = 32;
  DataKey() = default;
  explicit DataKey(const std::array<unsigned char, kSize>& bytes) : bytes_(bytes) {}
  DataKey(const DataKey&) = default;
  DataKey& operator=(const DataKey&) = default;
  ~DataKey();
  static DataKey random();
  const unsigned char* data() const { return bytes_.data(); }

 private:
  std::array<unsigned char, kSize> bytes_{};
};

// scrypt cost parameters, stored with the keyring so that they can grow later.
struct KdfParams {
  std::uint64_t n = 1u << 15;  // 32 MiB of memory with r = 8
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// Creates the keyring of a fresh database: a new master key, wrapped under the KEK derived
// from `application_password`. Throws std::invalid_argument if the password is not a valid
// application password, std::runtime_error if the database already has a keyring.
void create_keyring(pqxx::work& tx, std::string_view application_password,
                    const KdfParams& params = {});

// Whether the database has a keyring (an installed database: secrets encrypted at rest).
bool has_keyring(pqxx::transaction_base& tx);

// The master key if `application_password` is right; std::nullopt if it is wrong (the GCM
// tag of the wrapped key does not verify). Throws std::runtime_error if there is no keyring
// or it is malformed.
std::optional<DataKey> open_keyring(pqxx::transaction_base& tx,
                                    std::string_view application_password);

// The primitives, exposed for tests (known-answer checks against other implementations).
DataKey derive_kek(std::string_view password, std::string_view salt, const KdfParams& params);
// AES-256-GCM: returns nonce(12) || ciphertext || tag(16). A random nonce unless one is given.
std::string seal(const DataKey& key, std::string_view plaintext, std::string_view aad,
                 std::optional<std::string_view> nonce = std::nullopt);
// The plaintext, or std::nullopt if the tag does not verify (wrong key, tampered data or AAD).
std::optional<std::string> open(const DataKey& key, std::string_view sealed, std::string_view aad);

// The associated data that binds the wrapped master key to its keyring.
inline constexpr std::string_view kKeyringAad = "omnigate-keyring-v1";

}  // namespace og::secrets
