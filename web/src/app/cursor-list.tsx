import { useInfiniteQuery } from '@tanstack/react-query';
import { Button } from '../components/ui.tsx';
import { api } from './api.ts';

/** A cursor-paged API list (`{data, nextCursor}`), 50 at a time; empty params are left out. */
export function useCursorList<T>(key: string, path: string, params: Record<string, string | undefined> = {}) {
  const q = useInfiniteQuery({
    queryKey: [key, params],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const search = new URLSearchParams({ limit: '50' });
      for (const [k, v] of Object.entries(params)) if (v) search.set(k, v);
      if (pageParam) search.set('cursor', pageParam);
      return api<{ data: T[]; nextCursor: string | null }>(`${path}?${search}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return { ...q, items: q.data?.pages.flatMap((p) => p.data) ?? [] };
}

export function LoadMore({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  if (!list.hasNextPage) return null;
  return (
    <div className="mt-4">
      <Button variant="secondary" busy={list.isFetchingNextPage} onClick={() => list.fetchNextPage()}>
        Load more
      </Button>
    </div>
  );
}
