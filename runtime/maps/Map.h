// eBPF maps with the kernel's semantics, for programs run in user space.
//
// Two views of every map, as in the kernel:
//  - program view (helpers): lookup returns a pointer into the map's storage
//    that stays valid until quiesce(), even if the element is deleted or
//    evicted meanwhile (the kernel's RCU guarantee); per-CPU maps act on the
//    value of the CPU the program runs on.
//  - user view (bpf() syscall): values are copied in and out; per-CPU maps
//    transfer all CPUs' values back to back, each rounded up to 8 bytes.
// Every operation returns 0 or a negative errno, the one the kernel returns.
// Keyless maps (queue, stack, ring buffer) take nullptr as key.
//
// One family per header: ArrayMap (array, per-CPU array, global data),
// HashMap (hash, per-CPU hash), LruHashMap, LpmTrieMap, ProgArrayMap,
// MapInMap (array/hash of maps), RedirectMap (devmap, devmap-hash, cpumap,
// xskmap), QueueStackMap, RingBufMap, PerfEventArrayMap. Families with
// operations of their own are reached through Map::as<Family>().
//
// Concurrency: a map is used by one thread at a time (runs are sequential),
// so a bpf_spin_lock inside a value never contends. Its only observable
// effect is kept: user-space copies skip the lock word (reads return it as
// zero), exactly as the kernel's copy_map_value does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ebpfc::runtime {

// Update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK).
inline constexpr uint64_t kAny = 0, kNoExist = 1, kExist = 2, kLock = 4;

// The kernel-internal ENOTSUPP (524), which bpf() passes to user space for
// operations a map type does not implement.
inline constexpr long kENotSupp = 524;

// map_flags bits (BPF_F_*), as in <linux/bpf.h>.
namespace mapflags {
inline constexpr uint32_t kNoPrealloc = 1u << 0, kNoCommonLru = 1u << 1, kNumaNode = 1u << 2,
                          kRdOnly = 1u << 3, kWrOnly = 1u << 4, kStackBuildId = 1u << 5,
                          kZeroSeed = 1u << 6, kRdOnlyProg = 1u << 7, kWrOnlyProg = 1u << 8,
                          kClone = 1u << 9, kMmapable = 1u << 10, kPreserveElems = 1u << 11,
                          kInnerMap = 1u << 12;
inline constexpr uint32_t kAccessMask = kRdOnly | kWrOnly | kRdOnlyProg | kWrOnlyProg;
} // namespace mapflags

struct MapSpec {
  std::string name;
  uint32_t type = 0; // ir::MapType value
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  uint32_t flags = 0;     // map_flags (mapflags::kNoPrealloc, kRdOnlyProg, ...)
  uint32_t numaNode = 0;  // meaningful with mapflags::kNumaNode; the runtime has node 0 only
  uint64_t mapExtra = 0;
  uint32_t pinning = 0;
  std::shared_ptr<const MapSpec> inner; // template of map-in-map values
  bool readOnlyForProgram = false;      // .rodata and BPF_F_RDONLY_PROG maps
  // Initial contents of element 0 (global-data sections), empty otherwise.
  std::vector<uint8_t> initialValue;
  // Offset of a struct bpf_spin_lock in the value, from the value's BTF.
  std::optional<uint32_t> spinLockOffset;
  // Key and value type ids in the object's BTF (__type(key, T)); 0 when the
  // map was declared by sizes only. The loader keeps that BTF in the image.
  uint32_t btfKeyType = 0;
  uint32_t btfValueType = 0;
};

// A memory range a program may legitimately access (checked mode).
struct MemoryRegion {
  uint8_t *begin = nullptr;
  size_t size = 0;
  bool writable = true;
};

// Where bpf_redirect_map() sends a packet: an entry of a devmap,
// devmap-hash, cpumap or xskmap.
struct RedirectTarget {
  enum class Kind { Device, Cpu, XskSocket };
  Kind kind = Kind::Device;
  uint32_t id = 0;        // ifindex, CPU number or socket fd, as user space stored it
  uint32_t program = 0;   // bpf_prog.fd of a devmap/cpumap value (0: none)
  uint32_t queueSize = 0; // cpumap qsize
};

class Map : public std::enable_shared_from_this<Map> {
public:
  virtual ~Map();
  Map(const Map &) = delete;
  Map &operator=(const Map &) = delete;

  // The spec as the kernel would report it after creation (some types adjust
  // max_entries or flags, e.g. devmap adds BPF_F_RDONLY_PROG).
  const MapSpec &spec() const { return spec_; }
  unsigned numCpus() const { return numCpus_; }
  // Process-unique, nonzero, like the kernel's map ID. User-space values of
  // map-in-map are map IDs (see findById).
  uint32_t id() const { return id_; }
  bool isPerCpu() const { return perCpu_; }
  bool isReadOnlyForProgram() const { return readOnlyForProgram_; }

  // --- program view (helpers) ---
  // lookup returns the value for the CPU `cpu` (an LPM trie: the longest
  // matching prefix's; an LRU map marks the element used); for array-of-maps
  // and hash-of-maps it returns the inner Map* (what the program passes on
  // to the next map helper). nullptr when there is no such element.
  void *lookup(const void *key, unsigned cpu) {
    return cpu < numCpus_ && (key || spec_.keySize == 0) ? doLookup(key, cpu) : nullptr;
  }
  long update(const void *key, const void *value, uint64_t flags, unsigned cpu);
  long remove(const void *key, unsigned cpu);
  long push(const void *value, uint64_t flags); // queue, stack
  long pop(void *value);                        // queue, stack
  long peek(void *value);                       // queue, stack
  // The program in slot `index` of a prog array (a program index of the
  // object), nullopt for an empty slot, an index out of range or another map
  // type. The tail-call depth limit is the interpreter's business.
  virtual std::optional<uint32_t> tailCallProgram(uint32_t index) const;
  // The target stored under `key` of a devmap, devmap-hash, cpumap or
  // xskmap; nullopt when there is none (bpf_redirect_map then returns the
  // action in its flags' low bits).
  virtual std::optional<RedirectTarget> redirectTarget(uint32_t key) const;

  // --- user view (bpf() syscall) ---
  // Size of a value as user space transfers it (per-CPU: all CPUs).
  size_t userValueSize() const;
  long userLookup(const void *key, void *value) const;
  long userUpdate(const void *key, const void *value, uint64_t flags);
  long userDelete(const void *key);
  // BPF_MAP_LOOKUP_AND_DELETE_ELEM: pop for queue/stack, copy then delete
  // for the hash family; -ENOTSUPP for the other types.
  long userLookupAndDelete(const void *key, void *value);
  // key == nullptr, or a key not in the map, asks for the first key;
  // -ENOENT after the last.
  long getNextKey(const void *key, void *nextKey) const;
  // BPF_MAP_FREEZE: user space may no longer write (programs still may).
  long freeze();

  // Whether [p, p+len) lies inside one value of this map that a program may
  // hold a pointer to (live, or removed but not yet reclaimed by quiesce());
  // fills `region` with that whole value's range.
  virtual bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const = 0;

  // Ends a program run: memory of elements deleted or evicted since the last
  // call is reclaimed now, never while a program may still hold a pointer to
  // it.
  virtual void quiesce() {}

  // The map as its concrete family (RingBufMap, PerfEventArrayMap,
  // ArrayOfMapsMap, ...) for the operations only that family has, or nullptr
  // when it is of another type. RTTI-free, for callers built without it:
  // every family names the map types it implements, and createMap is the only
  // way to construct one.
  template <class Family> Family *as() {
    return Family::implements(spec_.type) ? static_cast<Family *>(this) : nullptr;
  }
  template <class Family> const Family *as() const {
    return Family::implements(spec_.type) ? static_cast<const Family *>(this) : nullptr;
  }

  // The live map whose id() is `id` and that is owned by a shared_ptr
  // (nullptr otherwise): how user-space map-in-map updates name inner maps.
  static std::shared_ptr<Map> findById(uint32_t id);
  // The live map at `address` (a register value a program passes as a map
  // argument), nullptr if there is none.
  static Map *fromAddress(uint64_t address);

protected:
  Map(MapSpec spec, unsigned numCpus);

  virtual void *doLookup(const void *key, unsigned cpu) = 0;
  // Program-side update/delete; the default is what the verifier enforces
  // for types whose helpers programs may not call.
  virtual long doUpdate(const void *key, const void *value, uint64_t flags, unsigned cpu);
  virtual long doRemove(const void *key, unsigned cpu);
  virtual long doPush(const void *value, uint64_t flags);
  virtual long doPop(void *value);
  virtual long doPeek(void *value);
  virtual long doUserLookup(const void *key, void *value) const = 0;
  virtual long doUserUpdate(const void *key, const void *value, uint64_t flags) = 0;
  virtual long doUserDelete(const void *key) = 0;
  virtual long doUserLookupAndDelete(const void *key, void *value);
  virtual long doGetNextKey(const void *key, void *nextKey) const = 0;

  // The bpf() syscall's key argument rule: keyless maps take no key
  // (-EINVAL), the others need one (-EFAULT for nullptr).
  long keyError(const void *key) const;

  // Value copies that leave a bpf_spin_lock word alone, like the kernel's
  // copy_map_value: into the map (the lock word of dst is kept) ...
  void copyValueIn(uint8_t *dst, const void *src) const;
  // ... and out to user space (the lock word reads as zero).
  void copyValueOut(void *dst, const uint8_t *src) const;
  // BPF_F_LOCK is valid only on maps whose value holds a bpf_spin_lock.
  bool lockFlagAllowed(uint64_t flags) const { return !(flags & kLock) || spec_.spinLockOffset.has_value(); }

  MapSpec spec_;
  unsigned numCpus_;

private:
  uint32_t id_;
  bool perCpu_;
  bool readOnlyForProgram_;
  bool frozen_ = false;
};

// Largest number of virtual CPUs a map may be created for.
inline constexpr unsigned kMaxCpus = 1024;
// Largest storage the runtime preallocates for one map (arrays); above it
// creation fails with -ENOMEM, as an allocation failure does in the kernel.
inline constexpr uint64_t kMaxPreallocatedBytes = 1ull << 30;

// Validates `spec` like the kernel's map_alloc_check/map_alloc for
// `numCpus` CPUs: 0, or the negative errno the kernel returns with `reason`
// saying why (e.g. "key_size must be 4 for an array map").
long checkMapSpec(const MapSpec &spec, unsigned numCpus, std::string &reason);

// Creates a map with kernel semantics, or returns nullptr and sets `error`
// (the reason, prefixed by the errno name, e.g. "EINVAL: key_size must be 4
// for an array map"). Map-in-map needs its inner maps owned by shared_ptr:
// keep maps as `std::shared_ptr<Map> m = createMap(...)`.
std::unique_ptr<Map> createMap(const MapSpec &spec, unsigned numCpus, std::string &error);

} // namespace ebpfc::runtime
