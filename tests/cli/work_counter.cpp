// A preloaded library (LD_PRELOAD) that counts the work a process does on the heap, for
// check_bad_inputs.mjs: every byte malloc, calloc and realloc are asked for (a realloc
// counts its whole new size, so a buffer grown one byte at a time costs n²/2 here, as it
// does in time), the number of those calls, and the peak resident memory. At exit it
// writes "<bytes> <calls> <peak RSS KiB>" to the file named by STEPCALC_WORK_REPORT.
// These counts are the same on a loaded machine as on a quiet one, unlike CPU time.
// glibc's __libc_* entry points do the allocating, so no dlsym (which itself allocates).
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* block, std::size_t size);
}

namespace {
std::atomic<unsigned long long> requested_bytes{0};
std::atomic<unsigned long long> allocation_calls{0};

void count(std::size_t bytes) {
  requested_bytes.fetch_add(bytes, std::memory_order_relaxed);
  allocation_calls.fetch_add(1, std::memory_order_relaxed);
}

__attribute__((destructor)) void write_report() {
  const char* path = std::getenv("STEPCALC_WORK_REPORT");
  if (path == nullptr) return;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  char line[96];
  const int length = std::snprintf(line, sizeof line, "%llu %llu %ld\n", requested_bytes.load(),
                                   allocation_calls.load(), usage.ru_maxrss);
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return;
  if (length > 0) (void)!write(fd, line, static_cast<std::size_t>(length));
  close(fd);
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  count(size);
  return __libc_malloc(size);
}

void* calloc(std::size_t count_, std::size_t size) {
  count(count_ * size);
  return __libc_calloc(count_, size);
}

void* realloc(void* block, std::size_t size) {
  count(size);
  return __libc_realloc(block, size);
}
}
