// Every recipe in tmux on RKE2 v1.27.6, a release from before October 2023 (see old-release-recipes.ts).
import { OLD_RELEASES, everyRecipeOnOldRelease } from './old-release-recipes.js';

everyRecipeOnOldRelease(OLD_RELEASES.rke2);
