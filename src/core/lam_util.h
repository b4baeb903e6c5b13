/*
** lam_util.h -- clocks, sleeping and random identifiers for the layers
** above (retries, timeouts, amz-sdk-invocation-id).
*/
#ifndef LAM_UTIL_H
#define LAM_UTIL_H

double lam_monotonic(void);  /* seconds, monotonic, sub-microsecond */
double lam_wallclock(void);  /* seconds since the Unix epoch */
void lam_sleep(double seconds);
/* A random UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") into out[37]. */
int lam_uuid4(char out[37]);

#endif
