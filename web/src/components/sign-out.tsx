import { signOut } from '@/server/actions/session';

/** Sign-out is a POST (a server action), never a link. */
export function SignOutButton({ label }: { label: string }) {
  return (
    <form action={signOut}>
      <button type="submit" className="button button-secondary button-small">
        {label}
      </button>
    </form>
  );
}
