// Images: decoding and encoding through OpenCV (PNG, JPEG, BMP, WebP), in RGB order.
#include "common.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <cstdlib>
#include <cstring>

using gs::get;
using gs::wrap;

extern "C" {

int gs_image_decode(const void* data, int64_t size, int grayscale, gs_tensor* out) {
  GS_API({
    if (!data || size <= 0) throw std::invalid_argument("empty image data");
    cv::Mat raw(1, static_cast<int>(size), CV_8UC1, const_cast<void*>(data));
    cv::Mat img = cv::imdecode(raw, grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (img.empty()) throw std::invalid_argument("not a decodable image (PNG, JPEG, BMP or WebP expected)");
    if (!grayscale) cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
    if (!img.isContinuous()) img = img.clone();
    const int64_t c = img.channels();
    auto t = torch::empty({img.rows, img.cols, c}, at::kByte);
    std::memcpy(t.data_ptr(), img.data, static_cast<size_t>(img.rows) * img.cols * c);
    *out = wrap(std::move(t));
  });
}

int gs_image_encode(gs_tensor hwc, const char* ext, int quality, void** buffer, int64_t* size) {
  GS_API({
    auto t = get(hwc).detach().to(at::kCPU).contiguous();
    if (t.scalar_type() != at::kByte) throw std::invalid_argument("image tensor must be uint8");
    if (t.dim() != 3 || (t.size(2) != 1 && t.size(2) != 3))
      throw std::invalid_argument("image tensor must be HxWxC with C = 1 or 3");
    const int c = static_cast<int>(t.size(2));
    cv::Mat img(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), c == 1 ? CV_8UC1 : CV_8UC3, t.data_ptr());
    cv::Mat bgr;
    if (c == 3) cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR); else bgr = img;
    std::vector<int> params;
    std::string e = ext ? ext : "";
    if (e == ".jpg" || e == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, quality};
    else if (e == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, quality};
    std::vector<uchar> buf;
    if (!cv::imencode(e, bgr, buf, params)) throw std::invalid_argument("could not encode image as " + e);
    void* mem = std::malloc(buf.size());
    if (!mem) throw std::bad_alloc();
    std::memcpy(mem, buf.data(), buf.size());
    *buffer = mem;
    *size = static_cast<int64_t>(buf.size());
  });
}

void gs_buffer_free(void* buffer) { std::free(buffer); }

}  // extern "C"
