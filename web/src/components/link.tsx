// next/link without automatic prefetching. Self-hosted `next start` speaks HTTP/1.1, where Chromium opens at most
// six connections per origin, and every page here is dynamic and per user: a prefetch burst of the navigation's
// links bought nothing but contention with the server actions the page is about to send.
import NextLink from 'next/link';
import type { ComponentProps } from 'react';

export function Link({ prefetch = false, ...props }: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={prefetch} {...props} />;
}
