'use client';
// A navigation link that marks itself `aria-current="page"` on its section.
import { Link } from '@/components/link';
import { usePathname } from 'next/navigation';

export function NavLink({ href, exact = false, children }: { href: string; exact?: boolean; children: React.ReactNode }) {
  const pathname = usePathname();
  const current = exact ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
