/* Test-only stand-in for Windows' bcryptprimitives.dll, which Debian's wine 8 lacks and real
 * Windows 10/11 has: Rust's standard library takes its random numbers from its ProcessPrng.
 * This one asks advapi32's RtlGenRandom (SystemFunction036), which wine has. Never shipped:
 * tests/tools/wine/render.sh builds it beside the exe under test. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG n = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
