/* TEST ONLY — never shipped. Wine 8 lacks bcryptprimitives.dll's
 * ProcessPrng, which Go >= 1.22's runtime calls on Windows (Windows 10 has
 * it). The Windows smoke test puts this stand-in into its throwaway Wine
 * prefix: ProcessPrng filled by advapi32's RtlGenRandom (SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
