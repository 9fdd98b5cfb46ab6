import { deleteObjects, deletePrefix } from "@/lib/storage/objects";
import { projectPrefix } from "@/lib/storage/keys";

/** Removes a project's outputs and its uploaded originals; returns how many objects went. */
export async function deleteProjectObjects(params: {
  userId: string;
  projectId: string;
  uploadKeys?: string[];
}): Promise<number> {
  const outputs = await deletePrefix(projectPrefix(params.userId, params.projectId));
  const originals = params.uploadKeys ?? [];
  await deleteObjects(originals);
  return outputs + originals.length;
}
